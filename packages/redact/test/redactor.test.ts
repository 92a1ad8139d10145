import { ConfigError } from "@pipekit/core";
import { describe, expect, it } from "vitest";
import {
  BLOCKED_KEY,
  createRedactor,
  DEFAULT_SKIP_PATHS,
  DETECTORS,
  isRedactionToken,
} from "../src/index.js";

const HMAC_KEY = "test-hmac-key-0123456789";

/** A ChatAgent-style execution: identity fields, messages, a tool call whose arguments are JSON text. */
function execution() {
  return {
    platform: "databricks",
    workspace: "adb-1.2.azuredatabricks.net",
    agent: { endpoint: "support-agent", model: "main.agents.support" },
    requestId: "req-4111111111111111",
    clientRequestId: "ops@example.com",
    table: "workspace.default.support_payload",
    startTime: 1_718_000_000_000,
    statusCode: 200,
    input: [
      { role: "system", content: "You are helpful." },
      { role: "user", content: "I am maria@contoso.com, card 4111 1111 1111 1111, call (415) 555-2671" },
    ],
    toolCalls: [
      {
        id: "call_1",
        name: "lookup",
        arguments: JSON.stringify({
          email: "maria@contoso.com",
          password: "hunter22!",
          limit: 5,
          exact: true,
        }),
      },
    ],
    usage: { promptTokens: 812, completionTokens: 40, maxTokens: 4096 },
  };
}

describe("createRedactor().redactValue", () => {
  const redactor = createRedactor({});

  it("redacts PII in messages and inside JSON text, keeps the document's shape and types", () => {
    const input = execution();
    const { value, report } = redactor.redactValue(input);
    expect(value.input[1]!.content).toBe(
      "I am [REDACTED:EMAIL], card [REDACTED:CREDIT_CARD], call [REDACTED:PHONE]",
    );
    expect(JSON.parse(value.toolCalls[0]!.arguments)).toEqual({
      email: "[REDACTED:EMAIL]",
      password: `[REDACTED:${BLOCKED_KEY}]`,
      limit: 5,
      exact: true,
    });
    expect(value.usage).toEqual({ promptTokens: 812, completionTokens: 40, maxTokens: 4096 });
    expect(value.input[0]).toBe(input.input[0]); // untouched subtrees are shared, not copied
    expect(report).toEqual({
      total: 5,
      byDetector: { EMAIL: 2, CREDIT_CARD: 1, PHONE: 1, BLOCKED_KEY: 1 },
      byPath: {
        "input[1].content": 3,
        "toolCalls[0].arguments.email": 1,
        "toolCalls[0].arguments.password": 1,
      },
    });
  });

  it("leaves identity fields alone by default (skipPaths)", () => {
    const input = execution();
    const { value } = redactor.redactValue(input);
    expect(value.requestId).toBe(input.requestId);
    expect(value.clientRequestId).toBe("ops@example.com");
    expect(value.agent).toBe(input.agent);
    expect(DEFAULT_SKIP_PATHS).toContain("agent.*");
  });

  it("redacts identity fields too when skipPaths is emptied", () => {
    const { value } = createRedactor({ skipPaths: [] }).redactValue(execution());
    expect(value.clientRequestId).toBe("[REDACTED:EMAIL]");
  });

  it("supports wildcards and indexes in skipPaths", () => {
    const r = createRedactor({ skipPaths: ["input[*].content"] });
    const { value } = r.redactValue(execution());
    expect(value.input[1]!.content).toContain("maria@contoso.com");
    expect(value.clientRequestId).toBe("[REDACTED:EMAIL]");
  });

  it("never mutates its input", () => {
    const input = execution();
    const before = structuredClone(input);
    redactor.redactValue(input);
    expect(input).toEqual(before);
  });

  it("blocks values by key name, ignoring case and separators, but not look-alike counters", () => {
    const { value, report } = redactor.redactValue({
      "X-Api-Key": "abc",
      db_password: 1234,
      githubToken: "t",
      credentials: { user: "u", nested: ["a", 7, true, null] },
      promptTokens: 10,
      tokenizer: "bert",
      passwordHint: "pet",
    });
    expect(value).toEqual({
      "X-Api-Key": "[REDACTED:BLOCKED_KEY]",
      db_password: "[REDACTED:BLOCKED_KEY]",
      githubToken: "[REDACTED:BLOCKED_KEY]",
      credentials: {
        user: "[REDACTED:BLOCKED_KEY]",
        nested: ["[REDACTED:BLOCKED_KEY]", "[REDACTED:BLOCKED_KEY]", true, null],
      },
      promptTokens: 10,
      tokenizer: "bert",
      passwordHint: "pet",
    });
    expect(report.byDetector).toEqual({ BLOCKED_KEY: 6 });
    expect(report.byPath["credentials.nested[1]"]).toBe(1);
  });

  it("adds configured blockKeys to the defaults", () => {
    const { value } = createRedactor({ blockKeys: ["ssn"] }).redactValue({
      customer_ssn: "x",
      password: "y",
    });
    expect(value).toEqual({ customer_ssn: "[REDACTED:BLOCKED_KEY]", password: "[REDACTED:BLOCKED_KEY]" });
  });

  it("removes blocked keys and matched text in remove mode", () => {
    const r = createRedactor({ defaultMode: "remove" });
    const { value, report } = r.redactValue({ password: "pw", note: "mail maria@contoso.com now", n: 1 });
    expect(value).toEqual({ note: "mail  now", n: 1 });
    expect(report.total).toBe(2);
  });

  it("keeps big integers exact: JSON text it cannot re-serialise losslessly is redacted as text", () => {
    const raw = '{"id": 12345678901234567890, "email": "maria@contoso.com"}';
    const { value } = redactor.redactValue({ raw });
    expect(value.raw).toBe('{"id": 12345678901234567890, "email": "[REDACTED:EMAIL]"}');
  });

  it("handles big integers at several levels of JSON-in-JSON", () => {
    const note = '{"id": 12345678901234567890, "email": "a@example.org"}';
    const raw = JSON.stringify({ note, email: "b@example.org" }).replace(
      '"note"',
      '"n": 98765432109876543210, "note"',
    );
    const { value, report } = redactor.redactValue({ raw });
    expect(value.raw).toContain('"n": 98765432109876543210');
    expect(value.raw).toContain('\\"id\\": 12345678901234567890');
    expect(value.raw).not.toContain("example.org");
    expect(report.total).toBe(2);
  });

  it("treats a key named __proto__ as data", () => {
    const input = JSON.parse('{"__proto__": {"email": "maria@contoso.com"}, "a": 1}');
    const { value, report } = redactor.redactValue(input);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(JSON.stringify(value)).toBe('{"__proto__":{"email":"[REDACTED:EMAIL]"},"a":1}');
    expect(report.byPath).toEqual({ "__proto__.email": 1 });
  });

  it("rejects values nested deeper than it will walk, naming the path", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 300; i++) deep = { d: deep };
    expect(() => redactor.redactValue(deep)).toThrow(/nested deeper than 256 levels at d\.d\.d/);
  });
});

describe("createRedactor().redactText", () => {
  it("redacts plain text and reports the root path", () => {
    const { text, report } = createRedactor({}).redactText("key AKIAIOSFODNN7EXAMPLE for bob@example.org");
    expect(text).toBe("key [REDACTED:AWS_ACCESS_KEY] for [REDACTED:EMAIL]");
    expect(report).toEqual({
      total: 2,
      byDetector: { AWS_ACCESS_KEY: 1, EMAIL: 1 },
      byPath: { "(root)": 2 },
    });
  });

  it("finds a card followed by a space and another number (the property test's counterexample)", () => {
    const r = createRedactor({});
    expect(r.redactText("Card number: 4111111111111111 090-85-1343 (SSN)").text).toBe(
      "Card number: [REDACTED:CREDIT_CARD] [REDACTED:US_SSN] (SSN)",
    );
    expect(r.redactText("card 4111111111111111 2025").text).toBe("card [REDACTED:CREDIT_CARD] 2025");
    // Grouped, a further group makes a longer number (the corpus's look-alike), and so does a dash.
    expect(r.redactText("id 4111 1111 1111 1111 1111 1").text).toBe("id 4111 1111 1111 1111 1111 1");
    expect(r.redactText("ref 4111111111111111-2222").text).toBe("ref 4111111111111111-2222");
  });

  it("walks a string that holds JSON and keeps it valid JSON", () => {
    const { text } = createRedactor({}).redactText('{"messages":[{"content":"call +44 20 7946 0018"}]}');
    expect(JSON.parse(text)).toEqual({ messages: [{ content: "call [REDACTED:PHONE]" }] });
  });

  it("keeps the scheme of an Authorization value and the user of a URL", () => {
    const r = createRedactor({});
    expect(r.redactText("Authorization: Bearer 9f8e7d6c5b4a3f2e1d0c").text).toBe(
      "Authorization: Bearer [REDACTED:AUTH_HEADER]",
    );
    expect(r.redactText("postgres://app:S3cr3t!x@db:5432/x").text).toBe(
      "postgres://app:[REDACTED:URL_PASSWORD]@db:5432/x",
    );
  });
});

describe("modes", () => {
  it("hmac pseudonyms are stable for one key, differ across keys, and normalise formatting", () => {
    const a = createRedactor({ defaultMode: "hmac", hmacKey: HMAC_KEY });
    const b = createRedactor({ defaultMode: "hmac", hmacKey: `${HMAC_KEY}-other` });
    const first = a.redactText("card 4111 1111 1111 1111").text;
    expect(first).toMatch(/^card \[CREDIT_CARD:hmac:[0-9a-f]{12}\]$/);
    expect(a.redactText("card 4111-1111-1111-1111").text).toBe(first);
    expect(a.redactText("Maria@Contoso.com").text).toBe(a.redactText("maria@contoso.com").text);
    expect(b.redactText("card 4111 1111 1111 1111").text).not.toBe(first);
    expect(a.redactText("card 5555 5555 5555 4444").text).not.toBe(first);
  });

  it("sets a mode per detector and can switch a detector off", () => {
    const r = createRedactor({
      hmacKey: HMAC_KEY,
      detectors: { EMAIL: { mode: "hmac" }, IP_ADDRESS: { enabled: false }, PHONE: { mode: "remove" } },
    });
    const { text } = r.redactText("maria@contoso.com from 203.0.113.9 tel (415) 555-2671");
    expect(text).toMatch(/^\[EMAIL:hmac:[0-9a-f]{12}\] from 203\.0\.113\.9 tel $/);
  });

  it("refuses hmac without a key, naming the field and never echoing secrets", () => {
    expect(() => createRedactor({ detectors: { EMAIL: { mode: "hmac" } } })).toThrow(ConfigError);
    expect(() => createRedactor({ defaultMode: "hmac" })).toThrow(/defaultMode: "hmac" needs hmacKey/);
    expect(() => createRedactor({ detectors: { SSN: { mode: "hmac" } } } as never)).toThrow(/detectors/);
    try {
      createRedactor({ hmacKey: "short-secret" });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/hmacKey: must be at least 16 characters/);
      expect((error as Error).message).not.toContain("short-secret");
    }
  });
});

describe("allow-lists and custom detectors", () => {
  it("keeps allow-listed domains, emails and values", () => {
    const r = createRedactor({
      allow: { domains: ["example.com"], emails: ["press@contoso.com"], values: ["203.0.113.9"] },
    });
    const { text, report } = r.redactText(
      "a@example.com b@eu.example.com press@contoso.com maria@contoso.com 203.0.113.9 198.51.100.7",
    );
    expect(text).toBe(
      "a@example.com b@eu.example.com press@contoso.com [REDACTED:EMAIL] 203.0.113.9 [REDACTED:IP_ADDRESS]",
    );
    expect(report.total).toBe(2);
  });

  it("runs custom detectors with an optional validator", () => {
    const r = createRedactor({
      custom: [
        { name: "EMPLOYEE_ID", pattern: "\\bEMP-\\d{6}\\b" },
        { name: "LOYALTY_CARD", pattern: "\\b\\d{12}\\b", validator: "luhn", mode: "remove" },
      ],
    });
    const { text, report } = r.redactText("EMP-123456 has loyalty 123456789015 and order 123456789012");
    expect(text).toBe("[REDACTED:EMPLOYEE_ID] has loyalty  and order 123456789012");
    expect(report.byDetector).toEqual({ EMPLOYEE_ID: 1, LOYALTY_CARD: 1 });
    expect(r.detectorIds.slice(-2)).toEqual(["EMPLOYEE_ID", "LOYALTY_CARD"]);
  });

  it("rejects bad custom detectors with the config path", () => {
    expect(() => createRedactor({ custom: [{ name: "X", pattern: "([" }] })).toThrow(
      /custom\[0\]\.pattern: invalid regular expression/,
    );
    expect(() => createRedactor({ custom: [{ name: "EMAIL", pattern: "x" }] })).toThrow(
      /custom\[0\]\.name: "EMAIL" is already a detector/,
    );
    expect(() => createRedactor({ custom: [{ name: "lower", pattern: "x" }] })).toThrow(/UPPER_SNAKE_CASE/);
  });
});

describe("tokens", () => {
  it("recognises its own tokens and does not redact them again", () => {
    expect(isRedactionToken("[REDACTED:EMAIL]")).toBe(true);
    expect(isRedactionToken("[EMAIL:hmac:0123456789ab]")).toBe(true);
    expect(isRedactionToken("[EMAIL]")).toBe(false);
    const r = createRedactor({ hmacKey: HMAC_KEY, defaultMode: "hmac" });
    const once = r.redactValue({ password: "x", note: "maria@contoso.com" });
    const twice = r.redactValue(once.value);
    expect(twice.value).toEqual(once.value);
    expect(twice.report.total).toBe(0);
    expect(DETECTORS.EMAIL).toBe("EMAIL");
  });
});
