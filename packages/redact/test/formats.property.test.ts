import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRedactor } from "../src/index.js";
import { ALL_LOOK_ALIKES, ALL_POSITIVES, IBAN_COUNTRIES, type Sample } from "./generators/formats.js";

/**
 * Values generated from each format's specification must be redacted wherever an agent payload
 * carries them: in prose, in a JSON field, and in JSON text inside a string (tool-call arguments,
 * raw request bodies). Look-alikes that break one rule of the format must not be taken for it.
 */

const params = { numRuns: Number(process.env.REDACT_FC_RUNS ?? 300) };
const redactor = createRedactor({});
const hmac = createRedactor({ defaultMode: "hmac", hmacKey: "format-property-key-0123" });

/** Prose around the value, the way people paste secrets into prompts. No digits, no keywords. */
const before = fc.constantFrom(
  "",
  "My aws access key is ",
  "here it is: ",
  "use ",
  "(",
  '"',
  "value\n",
  "Can you check ",
  "« ",
);
const after = fc.constantFrom(
  "",
  ".",
  ",",
  " please",
  ")",
  '"',
  "\n",
  "!",
  " and thanks",
  ";",
  " »",
  " exp 12/29",
  ", at 10:30",
);

type Shape = "plain" | "json" | "json-in-string" | "request-body";

/** The payload of one agent execution with `text` placed where the shape says. */
function payload(shape: Shape, text: string): unknown {
  switch (shape) {
    case "plain":
      return text;
    case "json":
      return { input: [{ role: "user", content: text }], output: { content: "ok" } };
    case "json-in-string":
      return {
        toolCalls: [{ name: "lookup", arguments: JSON.stringify({ query: text, limit: 5 }) }],
      };
    case "request-body":
      return { request: JSON.stringify({ messages: [{ role: "user", content: text }] }) };
  }
}

const shape = fc.constantFrom<Shape>("plain", "json", "json-in-string", "request-body");
const TOKEN = /\[(?:REDACTED:[A-Z_]+|[A-Z_]+:hmac:[0-9a-f]+)\]/g;

/** Every character of `value` is gone, replaced by one token: nothing of it survives next to it. */
function expectRedacted(sample: Sample, prefix: string, suffix: string, s: Shape, mode: typeof redactor) {
  const input = payload(s, `${prefix}${sample.value}${suffix}`);
  const out = JSON.stringify(mode.redactValue(input).value).replace(TOKEN, "§");
  const expected = JSON.stringify(payload(s, `${prefix}§${suffix}`));
  expect(out, `${sample.kind} ${JSON.stringify(sample.value)} in ${s}`).toBe(expected);
}

describe("values generated from each format are redacted in agent payloads", () => {
  for (const [name, arbitrary] of ALL_POSITIVES) {
    it(`${name}: 100% redacted (plain, JSON, JSON in a string), mask and hmac`, () => {
      fc.assert(
        fc.property(arbitrary, before, after, shape, fc.boolean(), (sample, prefix, suffix, s, useHmac) => {
          expectRedacted(sample, prefix, suffix, s, useHmac ? hmac : redactor);
        }),
        params,
      );
    });
  }

  it("is labelled by its own detector when alone in a string", () => {
    for (const [, arbitrary] of ALL_POSITIVES) {
      fc.assert(
        fc.property(arbitrary, (sample) => {
          const { report } = redactor.redactText(sample.value);
          expect(report.byDetector, `${sample.kind} ${sample.value}`).toEqual({ [sample.detector]: 1 });
        }),
        { numRuns: 100 },
      );
    }
  });

  it("covers every country of the IBAN registry", () => {
    // The IBAN arbitrary draws its country from this list; a short list would mean a parsing bug.
    expect(IBAN_COUNTRIES.length).toBeGreaterThanOrEqual(80);
    expect(IBAN_COUNTRIES).toEqual(expect.arrayContaining(["DE", "FR", "GB", "NO", "MT", "LC", "SA"]));
  });
});

describe("look-alikes that break one rule of a format are left alone", () => {
  for (const [name, arbitrary] of ALL_LOOK_ALIKES) {
    it(`${name}`, () => {
      fc.assert(
        fc.property(arbitrary, before, after, (sample, prefix, suffix) => {
          const { report } = redactor.redactText(`${prefix}${sample.value}${suffix}`);
          expect(report.byDetector[sample.detector], `${sample.kind} ${JSON.stringify(sample.value)}`).toBe(
            undefined,
          );
        }),
        params,
      );
    });
  }
});
