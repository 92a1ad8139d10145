import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AUDIT_PATTERNS, auditPath, auditRecords, auditText } from "../src/index.js";

const patternsOf = (text: string) => auditText(text, "t").map((s) => s.pattern);

describe("sink output audit", () => {
  it.each([
    ["AWS_ACCESS_KEY", "My aws access key is AKIAQWERTYUIOPASDFGH"],
    ["AWS_ACCESS_KEY", "ASIAZXCVBNMQWERTYUIO"],
    ["OPENAI_KEY", "sk-proj-abcdefghijklmnopqrstuvwxyz012345"],
    ["ANTHROPIC_KEY", "sk-ant-api03-abcdefghijklmnopqrstuvwxyz"],
    ["GITHUB_TOKEN", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"],
    ["SLACK_TOKEN", "xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx"],
    ["GOOGLE_API_KEY", "AIzaSyA-abcdefghijklmnopqrstuvwxyz01234"],
    ["JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghijklmnopqrstuv"],
    ["PRIVATE_KEY", "-----BEGIN RSA PRIVATE KEY-----"],
    ["EMAIL", "write to maria.lopez@contoso.com today"],
    ["CREDIT_CARD", "card 4111 1111 1111 1111 exp"],
    ["CREDIT_CARD", "amex 3782-822463-10005"],
    ["CREDIT_CARD", "card 4111111111111111."],
    ["US_SSN", "ssn 123-45-6789"],
    ["IBAN", "DE89 3704 0044 0532 0130 00"],
    ["IBAN", "GB82WEST12345698765432"],
    ["PHONE", "call +1 (415) 234-2671"],
  ])("finds %s in %j", (pattern, text) => {
    expect(patternsOf(text)).toEqual([pattern]);
  });

  it("sees values inside JSON text inside JSON strings (Akto payloads)", () => {
    const payload = JSON.stringify({ messages: [{ content: "key AKIAQWERTYUIOPASDFGH" }] });
    const record = JSON.stringify({ requestPayload: JSON.stringify({ request: payload }) });
    expect(patternsOf(record)).toEqual(["AWS_ACCESS_KEY"]);
  });

  it("leaves redaction tokens, ids, timestamps and ordinary numbers alone", () => {
    const text = JSON.stringify({
      content: "key [REDACTED:AWS_ACCESS_KEY], card [CREDIT_CARD:hmac:0123456789ab] [REDACTED:EMAIL]",
      requestId: "8e49c481-96df-4236-8b12-687df48c6943",
      span_id: "3753667919633273",
      trace_id: "tr-ba795fbf2d675e5b4f193760bf77bb1b",
      startTime: 1767225600123,
      nanos: "1767225600123456789",
      version: "1.2.3.4",
      tokens: { prompt_tokens: 610, total_tokens: 743 },
    });
    expect(auditText(text, "t")).toEqual([]);
  });

  it("masks what it reports and says where it was", () => {
    const [survivor] = auditRecords(["ok", "key AKIAQWERTYUIOPASDFGH here"], "kafka");
    expect(survivor).toEqual({ pattern: "AWS_ACCESS_KEY", where: "kafka[1]:1", masked: "AKIA…[20]…GH" });
  });

  it("audits every file under a directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "audit-"));
    try {
      writeFileSync(join(dir, "a.jsonl"), '{"x":"clean"}\n{"x":"ssn 123-45-6789"}\n');
      writeFileSync(join(dir, "b.jsonl"), '{"x":"bob@example.com"}\n');
      expect(auditPath(dir).map((s) => [s.pattern, s.where.slice(dir.length)])).toEqual([
        ["US_SSN", "/a.jsonl:2"],
        ["EMAIL", "/b.jsonl:1"],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("has one pattern per detector family it audits", () => {
    expect(new Set(AUDIT_PATTERNS.map((p) => p.id)).size).toBe(AUDIT_PATTERNS.length);
  });
});
