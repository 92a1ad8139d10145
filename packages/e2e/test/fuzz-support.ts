/**
 * Shared generators and helpers for the bad-input (fuzz) suites: hostile strings and values, raw
 * Databricks payload rows (good ones, and bad ones labelled with why they are bad), and a small
 * summary table the suites print so a reader sees how much was thrown at each component.
 */
import fc from "fast-check";

/** Deep enough to blow a naive recursive walker; the task's figure. */
export const DEEP_LEVELS = 10_000;
/** The task's "huge string". */
export const HUGE_CHARS = 10 * 1024 * 1024;

/** A lone UTF-16 surrogate half: not valid Unicode, impossible to encode as UTF-8. */
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
/** Characters that break naive JSON, regex, header or log handling, and look-alikes of secrets. */
const trickyPiece = fc.constantFrom(
  '"',
  "\\",
  "{",
  "}",
  "[",
  "]",
  ":",
  ",",
  "\u0000",
  "\n",
  "\r",
  "\t",
  "\u2028",
  "\ufeff",
  "\ufffd",
  "\u{1f600}",
  "4111 1111 1111 1111",
  "jane.doe@example.com",
  "Bearer abc.def.ghi",
  "123-45-6789",
  "__proto__",
  "constructor",
);
const unit = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: loneSurrogate },
  { weight: 3, arbitrary: trickyPiece },
);

/** Any code point, lone surrogates, JSON syntax, control characters, secret look-alikes. */
export const nastyString = fc.string({ unit, maxLength: 40 });

/** Bytes that are not UTF-8 (overlong forms, stray continuation bytes, surrogates encoded as UTF-8). */
const INVALID_UTF8 = [
  [0xc0, 0xaf],
  [0x80, 0x80],
  [0xed, 0xa0, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xff, 0xfe, 0x00],
  [0xe2, 0x82],
];
/** What a driver hands over for text that was not valid UTF-8: replacement characters, or raw bytes. */
export const invalidUtf8 = fc.oneof(
  fc.constantFrom(...INVALID_UTF8).map((bytes) => Buffer.from(bytes).toString("utf8")),
  fc.constantFrom(...INVALID_UTF8).map((bytes) => Buffer.from(bytes).toString("latin1")),
  fc.constantFrom(...INVALID_UTF8).map((bytes) => Buffer.from(bytes)),
);

/** Numbers that are not ordinary: NaN, ±Infinity, -0, beyond 2^53, huge exponents. */
export const nastyNumber = fc.oneof(
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 2 ** 53 + 1, 1e308, -1e308, 5e-324),
  fc.integer(),
);

/** Any leaf a driver or a broken producer might give. */
export const nastyLeaf: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  nastyNumber,
  invalidUtf8,
  fc.constantFrom(null, undefined, true, false),
  fc.bigInt(),
  fc.date({ noInvalidDate: false }),
);

/** Nested objects and arrays of nasty leaves (keys nasty too, `__proto__` included). */
export const nastyValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    nastyLeaf,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(nastyString, fc.constantFrom("__proto__", "role", "content")), tie("value"), {
      maxKeys: 4,
    }),
  ),
})).value;

/** A string that is JSON text, or nearly: valid, truncated, with a stray byte, or not JSON at all. */
export const jsonishString: fc.Arbitrary<string> = fc.oneof(
  nastyValue.map((v) => safeStringify(v)),
  nastyValue.chain((v) => {
    const text = safeStringify(v);
    return fc.nat({ max: Math.max(0, text.length - 1) }).map((cut) => text.slice(0, cut));
  }),
  fc.constantFrom(
    "{",
    "[",
    '{"messages": [',
    '{"a":}',
    "{'single': 'quotes'}",
    "[1,2,",
    "nul",
    "{}garbage",
    "",
  ),
  nastyString,
);

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x)) ?? "null";
  } catch {
    return "{";
  }
}

/** `[[[[…]]]]` / `{"a":{"a":…}}` as text, `levels` deep. */
export function deepJsonText(levels: number, kind: "array" | "object" = "array"): string {
  return kind === "array"
    ? `${"[".repeat(levels)}${"]".repeat(levels)}`
    : `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
}

/** The same nesting as a value (built iteratively: a recursive builder would overflow itself). */
export function deepValue(levels: number): unknown {
  let value: unknown = "leaf jane.doe@example.com";
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? { nested: value } : [value];
  return value;
}

/** A string of `chars` UTF-16 units with an e-mail in it (so redaction has something to find). */
export function hugeString(chars: number): string {
  const block = "lorem ipsum dolor sit amet jane.doe@example.com ";
  return block.repeat(Math.ceil(chars / block.length)).slice(0, chars);
}

// ---- Databricks payload rows ------------------------------------------------------------------

export type RowKind = "ai-gateway" | "legacy";

const timeMs = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) });
const okStatus = fc.constantFrom(200, 201, 204, 302);
const errorStatus = fc.constantFrom(400, 401, 404, 429, 500, 503);

/** Printable text with the odd lone surrogate and JSON character: content a user might type. */
const content = fc.string({
  unit: fc.oneof(
    { weight: 8, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: loneSurrogate },
    { weight: 1, arbitrary: trickyPiece },
  ),
  maxLength: 80,
});

/** A request body of one of the payload formats the source understands. */
const goodRequest = fc.oneof(
  fc.record({
    messages: fc.array(fc.record({ role: fc.constantFrom("user", "system"), content }), { maxLength: 3 }),
  }),
  fc.record({ input: fc.array(fc.record({ role: fc.constant("user"), content }), { maxLength: 3 }) }),
  fc.record({
    dataframe_records: fc.array(fc.dictionary(fc.string({ maxLength: 8 }), content, { maxKeys: 3 }), {
      maxLength: 2,
    }),
  }),
  content.map((text) => ({ prompt: text })),
);
const goodResponse = fc.oneof(
  fc.record({
    choices: fc.array(fc.record({ message: fc.record({ role: fc.constant("assistant"), content }) }), {
      maxLength: 2,
    }),
  }),
  fc.record({ messages: fc.array(fc.record({ role: fc.constant("assistant"), content }), { maxLength: 2 }) }),
  fc.record({
    output: fc.array(
      fc.record({
        type: fc.constant("message"),
        role: fc.constant("assistant"),
        content: fc.array(fc.record({ type: fc.constant("output_text"), text: content }), { maxLength: 2 }),
      }),
      { maxLength: 2 },
    ),
  }),
  fc.record({ predictions: fc.array(content, { maxLength: 2 }) }),
);

export interface LabelledRow {
  readonly row: Record<string, unknown>;
  readonly kind: RowKind;
  /** The id the row is known by: its databricks_request_id, or the source's stand-in when it has none. */
  readonly id: string;
  /** Undefined for a good row; else the reason class that must send it to the dead-letter path. */
  readonly defect: Defect | undefined;
}

/** How a bad row is bad, and which stage must catch it. */
export type Defect =
  | "malformed-json-request"
  | "missing-request-id"
  | "bad-request-time"
  | "bad-status-code"
  | "status-out-of-http-range"
  | "time-beyond-int32-seconds"
  | "deep-nested-request";

export const DEFECT_STAGE: Readonly<Record<Defect, "normalise" | "redact" | "akto_mapping">> = {
  "malformed-json-request": "normalise",
  "missing-request-id": "normalise",
  "bad-request-time": "normalise",
  "bad-status-code": "normalise",
  "status-out-of-http-range": "akto_mapping",
  "time-beyond-int32-seconds": "akto_mapping",
  "deep-nested-request": "redact",
};

/** A well-formed row of either table kind, with extra columns the source must ignore. */
export function goodRow(id: string): fc.Arbitrary<LabelledRow> {
  return fc
    .record({
      kind: fc.constantFrom<RowKind>("ai-gateway", "legacy"),
      time: timeMs,
      status: fc.oneof(okStatus, errorStatus),
      request: goodRequest,
      response: goodResponse,
      duration: fc.option(fc.nat({ max: 600_000 }), { nil: undefined }),
      extra: fc.dictionary(fc.constantFrom("unexpected_col", "_rescued_data", "new_column_2031"), nastyLeaf, {
        maxKeys: 2,
      }),
    })
    .map(({ kind, time, status, request, response, duration, extra }) => {
      const row: Record<string, unknown> = {
        ...extra,
        databricks_request_id: id,
        status_code: status,
        request: JSON.stringify(request),
        response: JSON.stringify(response),
      };
      if (kind === "legacy") {
        row.timestamp_ms = time;
        if (duration !== undefined) row.execution_time_ms = duration;
        row.request_metadata = {
          endpoint_name: "fuzz-endpoint",
          model_name: "fuzz.model",
          model_version: "3",
        };
      } else {
        row.request_time = new Date(time).toISOString();
        if (duration !== undefined) row.execution_duration_ms = duration;
      }
      return { row, kind, id, defect: undefined };
    });
}

/** A good row broken in one labelled way. */
export function badRow(id: string): fc.Arbitrary<LabelledRow> {
  const defect = fc.constantFrom<Defect>(
    "malformed-json-request",
    "missing-request-id",
    "bad-request-time",
    "bad-status-code",
    "status-out-of-http-range",
    "time-beyond-int32-seconds",
    "deep-nested-request",
  );
  return fc
    .tuple(goodRow(id), defect, fc.constantFrom("{", '{"messages": [', "{'a': 1}", "[1,2,", "{}x"))
    .map(([good, defect, broken]) => {
      const row = { ...good.row };
      const timeColumn = good.kind === "legacy" ? "timestamp_ms" : "request_time";
      switch (defect) {
        case "malformed-json-request":
          row.request = broken;
          break;
        case "missing-request-id":
          delete row.databricks_request_id;
          break;
        case "bad-request-time":
          row[timeColumn] = good.kind === "legacy" ? "yesterday" : "not a time";
          break;
        case "bad-status-code":
          row.status_code = "two hundred";
          break;
        case "status-out-of-http-range":
          row.status_code = 999;
          break;
        case "time-beyond-int32-seconds":
          row[timeColumn] = good.kind === "legacy" ? 9e15 : "9999-12-31T23:59:59Z";
          break;
        case "deep-nested-request":
          row.request = deepJsonText(DEEP_LEVELS, "object");
          break;
      }
      return { ...good, row, defect };
    });
}

// ---- Reporting ----------------------------------------------------------------------------------

/** Counts per (suite, case, outcome) that the suites print at the end. */
export class FuzzTally {
  private readonly counts = new Map<string, number>();
  add(suite: string, outcome: string, n = 1): void {
    const key = `${suite}\u0000${outcome}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }
  get(suite: string, outcome: string): number {
    return this.counts.get(`${suite}\u0000${outcome}`) ?? 0;
  }
  /** A fixed-width table: suite | outcome | count. */
  table(title: string): string {
    const rows = [...this.counts.entries()]
      .map(([key, n]) => [...key.split("\u0000"), String(n)] as [string, string, string])
      .sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
    const header: [string, string, string] = ["case", "outcome", "count"];
    const widths = [0, 1, 2].map((i) => Math.max(...[header, ...rows].map((r) => r[i]!.length)));
    const line = (r: readonly string[]) =>
      `| ${r.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(" | ")} |`;
    return [
      title,
      line(header),
      `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
      ...rows.map(line),
    ].join("\n");
  }
}
