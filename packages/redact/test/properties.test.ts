import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRedactor } from "../src/index.js";
import { PII_CORPUS } from "./corpus/pii.js";
import { SECRETS_CORPUS } from "./corpus/secrets.js";

const HMAC_KEY = "property-test-key-0123";
const corpusTexts = [...PII_CORPUS, ...SECRETS_CORPUS].map((c) => c.text);

/** Strings built from corpus texts (positives and look-alikes), separators and random text, glued together. */
const text = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...corpusTexts) },
      { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
      {
        weight: 2,
        arbitrary: fc.constantFrom(" ", "\n", ":", "=", "@", "-", ".", '"', "[", "]", "{", "}", "\\n"),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom("[REDACTED:EMAIL]", "[EMAIL:hmac:0123456789ab]", "[REDACTED:"),
      },
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(""));

const key = fc.oneof(
  fc.constantFrom(
    "password",
    "email",
    "content",
    "__proto__",
    "maxTokens",
    "arguments",
    "api_key",
    "requestId",
  ),
  fc.string({ maxLength: 8 }),
);

/** JSON-like values whose strings carry PII, sometimes JSON documents inside strings. */
const { value: jsonLike } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    text,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(key, tie("value"), { maxKeys: 4 }),
    fc.dictionary(key, tie("value"), { maxKeys: 4 }).map((o) => JSON.stringify(o)),
  ),
}));

/** Every string of `input` that holds a JSON document still holds one at the same place in `output`. */
function nestedJsonStaysValid(input: unknown, output: unknown): void {
  if (typeof input === "string") {
    if (parsesToContainer(input)) expect(parsesToContainer(output as string)).toBe(true);
    return;
  }
  if (input === null || typeof input !== "object") return;
  for (const [k, v] of Object.entries(input)) {
    const next = (output as Record<string, unknown>)[k];
    if (next !== undefined) nestedJsonStaysValid(v, next);
  }
}

function parsesToContainer(s: string): boolean {
  try {
    const v: unknown = JSON.parse(s);
    return v !== null && typeof v === "object";
  } catch {
    return false;
  }
}

const params = { numRuns: Number(process.env.REDACT_FC_RUNS ?? 300) };

describe.each([
  ["mask", createRedactor({})],
  ["hmac", createRedactor({ defaultMode: "hmac", hmacKey: HMAC_KEY })],
])("redaction properties (%s)", (_mode, redactor) => {
  it("never throws, yields valid JSON, keeps JSON inside strings valid", () => {
    fc.assert(
      fc.property(jsonLike, (input) => {
        const { value } = redactor.redactValue(input);
        // Plain JSON data in, plain JSON data out: a JSON round trip changes nothing.
        expect(JSON.parse(JSON.stringify(value))).toEqual(value);
        nestedJsonStaysValid(input, value);
      }),
      params,
    );
  });

  it("is idempotent on values: redact(redact(x)) == redact(x)", () => {
    fc.assert(
      fc.property(jsonLike, (input) => {
        const once = redactor.redactValue(input);
        const twice = redactor.redactValue(once.value);
        expect(twice.value).toEqual(once.value);
        expect(twice.report.total).toBe(0);
      }),
      params,
    );
  });

  it("is idempotent on text", () => {
    fc.assert(
      fc.property(text, (input) => {
        const once = redactor.redactText(input).text;
        expect(redactor.redactText(once).text).toBe(once);
      }),
      params,
    );
  });
});

describe("redaction properties (remove)", () => {
  const redactor = createRedactor({ defaultMode: "remove" });
  it("never throws and yields valid JSON", () => {
    fc.assert(
      fc.property(jsonLike, (input) => {
        const { value } = redactor.redactValue(input);
        expect(() => JSON.parse(JSON.stringify(value) ?? "null")).not.toThrow();
        nestedJsonStaysValid(input, value);
      }),
      params,
    );
  });
});
