/**
 * Bad input for redaction (@pipekit/redact createRedactor): any value comes back redacted, or the
 * documented PoisonError (nesting beyond the walker's limit) is thrown; the input is never mutated
 * and JSON-serialisable input stays JSON-serialisable.
 */
import { PoisonError } from "@pipekit/core";
import { createRedactor } from "@pipekit/redact";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  DEEP_LEVELS,
  deepJsonText,
  deepValue,
  FuzzTally,
  HUGE_CHARS,
  hugeString,
  invalidUtf8,
  jsonishString,
  nastyString,
  nastyValue,
} from "./fuzz-support.js";

const tally = new FuzzTally();
const redactors = {
  mask: createRedactor(),
  hmac: createRedactor({ defaultMode: "hmac", hmacKey: "fuzz-key-0123456789abcdef" }),
  remove: createRedactor({ defaultMode: "remove" }),
};

type Outcome = { ok: true; value: unknown } | { ok: false; error: PoisonError };

function redact(mode: keyof typeof redactors, value: unknown): Outcome {
  try {
    return { ok: true, value: redactors[mode].redactValue(value).value };
  } catch (error) {
    if (!(error instanceof PoisonError)) throw error;
    expect(error.message).toMatch(/^redact: /);
    return { ok: false, error };
  }
}

/** Serialises with bigints as strings; undefined when the value cannot be JSON at all. */
function json(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
  } catch {
    return undefined;
  }
}

describe("redaction under hostile values", () => {
  it("any value: redacted or PoisonError; input untouched; JSON stays JSON", () => {
    fc.assert(
      fc.property(
        fc.oneof(nastyValue, jsonishString, fc.array(fc.oneof(jsonishString, nastyString), { maxLength: 4 })),
        fc.constantFrom("mask", "hmac", "remove" as const),
        (value, mode) => {
          const before = json(value);
          const outcome = redact(mode, value);
          tally.add(`redact (${mode}): random values`, outcome.ok ? "redacted" : "PoisonError");
          expect(json(value)).toBe(before);
          if (outcome.ok && before !== undefined) expect(json(outcome.value)).toBeTypeOf(typeof before);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("redactText on any string returns a string", () => {
    fc.assert(
      fc.property(fc.oneof(jsonishString, nastyString), (text) => {
        const { text: out } = redactors.mask.redactText(text);
        expect(typeof out).toBe("string");
        tally.add("redact: redactText random strings", "redacted");
      }),
      { numRuns: 300 },
    );
  });

  describe("named hostile cases", () => {
    const cases: [string, () => unknown, "redacted" | "PoisonError"][] = [
      [`${DEEP_LEVELS}-level nested value`, () => deepValue(DEEP_LEVELS), "PoisonError"],
      [
        `${DEEP_LEVELS}-level JSON object text`,
        () => ({ body: deepJsonText(DEEP_LEVELS, "object") }),
        "PoisonError",
      ],
      [
        `${DEEP_LEVELS}-level JSON array text`,
        () => ({ body: deepJsonText(DEEP_LEVELS, "array") }),
        "PoisonError",
      ],
      ["200-level nesting (under the limit)", () => deepValue(200), "redacted"],
      ["10 MB string", () => ({ prompt: hugeString(HUGE_CHARS) }), "redacted"],
      [
        "10 MB JSON text",
        () => JSON.stringify({ messages: [{ content: hugeString(HUGE_CHARS) }] }),
        "redacted",
      ],
      ["lone surrogates around an e-mail", () => "\ud800jane.doe@example.com\udfff", "redacted"],
      ["invalid UTF-8 bytes", () => ({ raw: Buffer.from([0xc0, 0xaf, 0xff]) }), "redacted"],
      ["U+FFFD-riddled text", () => Buffer.from([0xc0, 0xaf, 0x40, 0xff]).toString("utf8"), "redacted"],
      ["nulls everywhere", () => ({ a: null, b: [null, { c: null }], password: null }), "redacted"],
      ["numbers under a blocked key", () => ({ password: 123456, api_key: [1, 2n, Number.NaN] }), "redacted"],
      [
        "__proto__ keys",
        () => JSON.parse('{"__proto__": {"password": "hunter2"}, "x": "jane.doe@example.com"}'),
        "redacted",
      ],
      [
        "unsafe integers in JSON text",
        () => '{"id": 12345678901234567890, "email": "jane.doe@example.com"}',
        "redacted",
      ],
      [
        "truncated JSON text with a secret",
        () => '{"authorization": "Bearer abc.def.ghi", "x": [',
        "redacted",
      ],
    ];
    it.each(cases)("%s", (_name, make, expected) => {
      const outcome = redact("mask", make());
      tally.add(`redact: ${_name}`, outcome.ok ? "redacted" : "PoisonError");
      expect(outcome.ok ? "redacted" : "PoisonError").toBe(expected);
    });

    it("a 10 MB string loses its e-mails and keeps its length class", () => {
      const text = hugeString(HUGE_CHARS);
      const { text: out, report } = redactors.mask.redactText(text);
      expect(out).not.toContain("jane.doe@example.com");
      expect(report.total).toBeGreaterThan(100_000);
      expect(out.length).toBeGreaterThan(HUGE_CHARS / 2);
    });

    it("invalid UTF-8 in every position of a payload", () => {
      fc.assert(
        fc.property(invalidUtf8, (bad) => {
          const outcome = redact("hmac", { messages: [{ role: bad, content: bad }], token: bad });
          tally.add("redact: invalid UTF-8 everywhere", outcome.ok ? "redacted" : "PoisonError");
          expect(outcome.ok).toBe(true);
        }),
        { numRuns: 30 },
      );
    });
  });
});

afterAll(() => {
  console.log(tally.table("Redaction (createRedactor) under bad input"));
});
