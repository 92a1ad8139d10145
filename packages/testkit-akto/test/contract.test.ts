import { describe, expect, it } from "vitest";
import {
  AKTO_MAX_BODY_BYTES,
  AKTO_MAX_STRING_CHARS,
  type ContractViolation,
  checkAktoBatchBody,
  checkAktoRecord,
  sampleAktoRecord,
} from "../src/index.js";

/** A record that satisfies every rule (the package's own sample); each test breaks exactly one. */
function validRecord(): Record<string, unknown> {
  return sampleAktoRecord(0);
}

function withField(field: string, value: unknown): Record<string, unknown> {
  return { ...validRecord(), [field]: value };
}

function fields(violations: readonly ContractViolation[]): string[] {
  return violations.map((v) => v.field);
}

describe("checkAktoRecord", () => {
  it("accepts a valid record, with or without publishToGuardrails", () => {
    expect(checkAktoRecord(validRecord())).toEqual([]);
    expect(checkAktoRecord(withField("publishToGuardrails", true))).toEqual([]);
  });

  it("rejects a value that is not an object", () => {
    expect(checkAktoRecord([])).toEqual([{ field: "(record)", reason: "must be a JSON object, got array" }]);
    expect(fields(checkAktoRecord("x"))).toEqual(["(record)"]);
  });

  it("reports every missing required field", () => {
    const record = validRecord();
    delete record.time;
    delete record.tag;
    const violations = checkAktoRecord(record);
    expect(fields(violations)).toEqual(["time", "tag"]);
    expect(violations[0]!.reason).toMatch(/missing/);
  });

  it("requires strings, except publishToGuardrails which must be boolean", () => {
    expect(checkAktoRecord(withField("statusCode", 200))).toEqual([
      { field: "statusCode", reason: "must be a string, got number" },
    ]);
    expect(fields(checkAktoRecord(withField("publishToGuardrails", "true")))).toEqual([
      "publishToGuardrails",
    ]);
  });

  it("flags fields Akto does not know (they would be dropped)", () => {
    expect(fields(checkAktoRecord(withField("tags", "{}")))).toEqual(["tags"]);
  });

  it("rejects strings over 5,242,880 characters and accepts exactly the limit", () => {
    expect(checkAktoRecord(withField("requestPayload", "x".repeat(AKTO_MAX_STRING_CHARS)))).toEqual([]);
    const violations = checkAktoRecord(withField("requestPayload", "x".repeat(AKTO_MAX_STRING_CHARS + 1)));
    expect(fields(violations)).toEqual(["requestPayload"]);
    expect(violations[0]!.reason).toContain("5242880");
  });

  it("requires headers to be a JSON object string", () => {
    expect(fields(checkAktoRecord(withField("responseHeaders", "{not json")))).toEqual(["responseHeaders"]);
    expect(fields(checkAktoRecord(withField("responseHeaders", "[]")))).toEqual(["responseHeaders"]);
  });

  it("requires string header values and lower-case header keys, naming the key", () => {
    const headers = JSON.stringify({ host: "a.example.com", "Content-Type": "x", "content-length": 12 });
    const violations = checkAktoRecord(withField("requestHeaders", headers));
    expect(fields(violations)).toEqual(["requestHeaders.Content-Type", "requestHeaders.content-length"]);
  });

  it("requires a host header with letters, not a bare IP", () => {
    const noHost = checkAktoRecord(withField("requestHeaders", "{}"));
    expect(fields(noHost)).toEqual(["requestHeaders.host"]);
    expect(noHost[0]!.reason).toMatch(/missing/);
    for (const host of ["10.0.0.1", "10.0.0.1:8080", "[::1]:443", "fe80::1"]) {
      const violations = checkAktoRecord(withField("requestHeaders", JSON.stringify({ host })));
      expect(fields(violations), host).toEqual(["requestHeaders.host"]);
    }
    expect(checkAktoRecord(withField("requestHeaders", JSON.stringify({ host: "localhost:8443" })))).toEqual(
      [],
    );
  });

  it("requires time as integer epoch seconds that fit int32, hinting at milliseconds", () => {
    const ms = checkAktoRecord(withField("time", "1764263000123"));
    expect(fields(ms)).toEqual(["time"]);
    expect(ms[0]!.reason).toMatch(/milliseconds/);
    expect(fields(checkAktoRecord(withField("time", "1764263000.5")))).toEqual(["time"]);
    expect(checkAktoRecord(withField("time", "2147483647"))).toEqual([]);
    expect(fields(checkAktoRecord(withField("time", "2147483648")))).toEqual(["time"]);
  });

  it("requires source from Akto's enum", () => {
    const violations = checkAktoRecord(withField("source", "DATABRICKS"));
    expect(fields(violations)).toEqual(["source"]);
    expect(violations[0]!.reason).toMatch(/tag/);
  });

  it("requires tag to parse as a JSON object of strings", () => {
    expect(fields(checkAktoRecord(withField("tag", "gen-ai")))).toEqual(["tag"]);
    expect(fields(checkAktoRecord(withField("tag", '{"n":1}')))).toEqual(["tag.n"]);
  });

  it("requires an integer-like status code in the HTTP range", () => {
    expect(fields(checkAktoRecord(withField("statusCode", "OK")))).toEqual(["statusCode"]);
    expect(fields(checkAktoRecord(withField("statusCode", "200.0")))).toEqual(["statusCode"]);
    expect(fields(checkAktoRecord(withField("statusCode", "42")))).toEqual(["statusCode"]);
  });

  it("requires a valid upper-case HTTP method", () => {
    expect(fields(checkAktoRecord(withField("method", "post")))).toEqual(["method"]);
    expect(fields(checkAktoRecord(withField("method", "FETCH")))).toEqual(["method"]);
  });

  it('requires path to start with "/"', () => {
    expect(fields(checkAktoRecord(withField("path", "serving-endpoints/x")))).toEqual(["path"]);
  });

  it("checks account and vxlan ids, is_pending and type", () => {
    expect(fields(checkAktoRecord(withField("akto_account_id", "acme")))).toEqual(["akto_account_id"]);
    expect(fields(checkAktoRecord(withField("akto_vxlan_id", "99999999999")))).toEqual(["akto_vxlan_id"]);
    expect(fields(checkAktoRecord(withField("is_pending", "no")))).toEqual(["is_pending"]);
    expect(fields(checkAktoRecord(withField("type", "HTTPS")))).toEqual(["type"]);
  });

  it("reports every violation of a record at once, never quoting values", () => {
    const secret = "sk-live-very-secret";
    const record = { ...validRecord(), time: secret, source: secret, method: secret, path: secret };
    const violations = checkAktoRecord(record);
    expect(fields(violations).sort()).toEqual(["method", "path", "source", "time"]);
    expect(JSON.stringify(violations)).not.toContain(secret);
  });
});

describe("checkAktoBatchBody", () => {
  it("accepts a body object or its serialised text", () => {
    const body = { batchData: [validRecord(), validRecord()] };
    expect(checkAktoBatchBody(body)).toEqual([]);
    expect(checkAktoBatchBody(JSON.stringify(body))).toEqual([]);
  });

  it("prefixes record violations with their index", () => {
    const body = { batchData: [validRecord(), withField("time", "x")] };
    expect(fields(checkAktoBatchBody(body))).toEqual(["batchData[1].time"]);
  });

  it("requires batchData to be an array and the body to be JSON", () => {
    expect(fields(checkAktoBatchBody({}))).toEqual(["batchData"]);
    expect(fields(checkAktoBatchBody({ batchData: {} }))).toEqual(["batchData"]);
    expect(fields(checkAktoBatchBody("{"))).toEqual(["(body)"]);
  });

  it("rejects bodies over 10,485,760 bytes, counting UTF-8 bytes", () => {
    // Two records of 2.7M three-byte characters: each string is within the character limit, the body is not.
    const big = "€".repeat(1_800_000);
    const body = { batchData: [withField("requestPayload", big), withField("responsePayload", big)] };
    const violations = checkAktoBatchBody(JSON.stringify(body));
    expect(fields(violations)).toEqual(["(body)"]);
    expect(violations[0]!.reason).toContain(String(AKTO_MAX_BODY_BYTES));
  });
});
