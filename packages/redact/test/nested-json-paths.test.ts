import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRedactConfig, type RedactConfigInput } from "../src/config/redact-config.js";
import { walkSettings } from "../src/redactor/create-redactor.js";
import { ValueWalker } from "../src/walk/value-walker.js";
import { PII_CORPUS } from "./corpus/pii.js";
import { SECRETS_CORPUS } from "./corpus/secrets.js";

/**
 * JSON text inside strings is redacted in place when it is in JSON.stringify's own form; these
 * properties hold that to the reference path (parse, walk, re-serialise): same value, same report.
 */

/** Corpus texts that need no escaping in JSON, so documents holding them can take the in-place path. */
const plainTexts = [...PII_CORPUS, ...SECRETS_CORPUS]
  .map((c) => c.text)
  .filter((t) => JSON.stringify(t) === `"${t}"`);

const text = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...plainTexts) },
      { weight: 2, arbitrary: fc.string({ maxLength: 10 }) },
      { weight: 1, arbitrary: fc.constantFrom(" ", ":", "=", "@", "[REDACTED:EMAIL]", "{}", "[1]", "\\n") },
      // What JSON.stringify escapes (quotes, backslashes, control characters, lone surrogates) and
      // what it writes raw (pairs, U+2028): the in-place path must decide each as the parser does.
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '"',
          "\\",
          "\n",
          "\t",
          "\u0000",
          "\u001f",
          "\ud83d\ude00",
          "\ud800",
          "\udc00",
          "\u2028",
          "é",
        ),
      },
      { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) },
    ),
    { maxLength: 4 },
  )
  .map((parts) => parts.join(""));

const key = fc.oneof(
  fc.constantFrom("password", "email", "content", "__proto__", "keep", "1", "token", "note", "a"),
  fc.string({ maxLength: 6 }),
);

const number = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constant(2 ** 53 + 2),
);

const { value: jsonValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    text,
    number,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(key, tie("value"), { maxKeys: 4 }),
    fc.dictionary(key, tie("value"), { maxKeys: 3 }).map((o) => JSON.stringify(o)),
  ),
}));

/** JSON text: mostly canonical, sometimes with what the in-place path must leave to the parser. */
const jsonText = fc.oneof(
  { weight: 6, arbitrary: fc.dictionary(key, jsonValue, { maxKeys: 5 }).map((o) => JSON.stringify(o)) },
  { weight: 2, arbitrary: fc.array(jsonValue, { maxLength: 4 }).map((a) => JSON.stringify(a)) },
  {
    weight: 1,
    arbitrary: fc.dictionary(key, jsonValue, { maxKeys: 3 }).map((o) => JSON.stringify(o, null, 1)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(key, text, text)
      .map(
        ([k, a, b]) =>
          `{${JSON.stringify(k)}:${JSON.stringify(a)},${JSON.stringify(k)}:${JSON.stringify(b)}}`,
      ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("1.50", "1e3", "-0", "9007199254740993", "01", "tru", ""), text)
      .map(([n, t]) => `{"n":${n},"t":${JSON.stringify(t)}}`),
  },
  {
    // String literals JSON.parse reads but JSON.stringify would write otherwise, or not at all.
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          '"\\u0041"',
          '"a\\/b"',
          '"\\ud83d\\ude00"',
          '"\ud800"',
          '"\\x"',
          '"\\',
          '"\\u00"',
          '"ok\\"',
          '"\\\\"',
          '"\\"hunter2\\""',
        ),
        fc.constantFrom('"password"', '"\\u0070assword"', '"email"', '"a\\"b"'),
        text,
      )
      .map(([literal, k, t]) => `{${k}:${literal},"t":${JSON.stringify(t)}}`),
  },
);

const record = fc.record({ doc: jsonText, list: fc.array(jsonText, { maxLength: 2 }), note: text });

function bothPaths(config: RedactConfigInput, input: unknown) {
  const settings = walkSettings(parseRedactConfig(config));
  const inPlace = new ValueWalker(settings);
  const parsed = new ValueWalker({ ...settings, inPlaceJsonText: false });
  return {
    inPlace: { value: inPlace.walk(input), report: inPlace.report.build() },
    parsed: { value: parsed.walk(input), report: parsed.report.build() },
  };
}

function parses(json: string): boolean {
  try {
    JSON.parse(json);
    return true;
  } catch {
    return false;
  }
}

const params = { numRuns: Number(process.env.REDACT_FC_RUNS ?? 300) };

describe.each<[string, RedactConfigInput]>([
  ["mask", {}],
  ["hmac", { defaultMode: "hmac", hmacKey: "property-test-key-0123" }],
  ["remove", { defaultMode: "remove" }],
  ["skip paths", { skipPaths: ["doc.keep", "doc.*.note", "list[*].a", "doc[1]"] }],
])("JSON text in strings, in place vs parsed (%s)", (_name, config) => {
  it("gives the same value and the same report", () => {
    fc.assert(
      fc.property(record, (input) => {
        const { inPlace, parsed } = bothPaths(config, input);
        expect(inPlace.value).toEqual(parsed.value);
        expect(inPlace.report).toEqual(parsed.report);
        if (parses(input.doc)) expect(parses((inPlace.value as { doc: string }).doc)).toBe(true);
      }),
      params,
    );
  });
});

describe("JSON text in strings, in place", () => {
  it("redacts a canonical document with the paths the parsed walk reports", () => {
    const doc = JSON.stringify({
      messages: [{ role: "user", content: "Mail me at maria.gonzalez@contoso-mail.com today" }],
      password: "hunter2",
      limit: 5,
    });
    const { inPlace, parsed } = bothPaths({}, { rawRequest: doc });
    expect(inPlace).toEqual(parsed);
    expect(inPlace.value).toEqual({
      rawRequest:
        '{"messages":[{"role":"user","content":"Mail me at [REDACTED:EMAIL] today"}],' +
        '"password":"[REDACTED:BLOCKED_KEY]","limit":5}',
    });
    expect(inPlace.report.byPath).toEqual({
      "rawRequest.messages[0].content": 1,
      "rawRequest.password": 1,
    });
  });
});
