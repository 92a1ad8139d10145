/**
 * Bad input for the row parser (normaliseRow of @pipekit/source-databricks): whatever a table row
 * holds, normaliseRow returns a valid AgentExecution or throws its documented RowParseError with a
 * reason (naming the request id when the row has one). Anything else escaping is a crash.
 */
import { AgentExecutionSchema } from "@pipekit/agent-execution";
import { normaliseRow, RowParseError, type TraceRow } from "@pipekit/source-databricks";
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
  nastyLeaf,
  nastyString,
  nastyValue,
} from "./fuzz-support.js";

const AGENT = { endpoint: "fuzz-agent", model: "main.agents.fuzz", task: "agent/v1/chat" };
const ORIGIN = { workspace: "fuzz.cloud.databricks.com", table: "workspace.default.fuzz_payload" };
const tally = new FuzzTally();

type Outcome = { ok: true } | { ok: false; error: RowParseError };

/** Runs normaliseRow; fails the property on any throw that is not a RowParseError. */
function parse(row: Record<string, unknown> | TraceRow, kind: "ai-gateway" | "legacy" | "trace"): Outcome {
  try {
    const execution = normaliseRow(row, kind, AGENT, ORIGIN);
    // What comes out must be what the rest of the pipeline accepts.
    const checked = AgentExecutionSchema.safeParse(execution);
    if (!checked.success)
      throw new Error(`normaliseRow returned an invalid AgentExecution: ${checked.error.message}`);
    return { ok: true };
  } catch (error) {
    if (!(error instanceof RowParseError)) throw error;
    expect(error.reason.length).toBeGreaterThan(0);
    return { ok: false, error };
  }
}

/** databricks_request_id as the parser reads it (strings and numbers). */
function idOf(row: Record<string, unknown>): string | undefined {
  const v = row.databricks_request_id;
  if (typeof v === "string") return v || undefined;
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  return undefined;
}

const PAYLOAD_COLUMNS = [
  "databricks_request_id",
  "client_request_id",
  "request_time",
  "timestamp_ms",
  "status_code",
  "request",
  "response",
  "execution_duration_ms",
  "execution_time_ms",
  "logging_error_codes",
  "served_entity_id",
  "requester",
  "request_metadata",
  "sampling_fraction",
] as const;

/** Each known column absent, null, a wrong type, garbage JSON, or nested values; plus extra columns. */
const hostileRow = fc
  .tuple(
    fc.record(
      Object.fromEntries(
        PAYLOAD_COLUMNS.map((c) => [
          c,
          fc.oneof(nastyLeaf, jsonishString, nastyValue, fc.constant(null), fc.constant(undefined)),
        ]),
      ) as Record<(typeof PAYLOAD_COLUMNS)[number], fc.Arbitrary<unknown>>,
      { requiredKeys: [] },
    ),
    fc.dictionary(nastyString, nastyValue, { maxKeys: 3 }),
  )
  .map(([known, extra]) => ({ ...extra, ...known }));

/** Rows close to valid, so the parser gets past the id/time/status checks into the bodies. */
const nearlyValidRow = fc
  .record({
    id: fc.oneof(
      nastyString.filter((s) => s !== ""),
      fc.integer().map(String),
    ),
    time: fc.oneof(
      fc.constant("2025-01-01T10:00:00.123Z"),
      fc.constant("2025-01-01 10:00:00"),
      fc.integer({ min: 0, max: 4_102_444_800_000 }),
      fc.date({ noInvalidDate: false }),
      nastyString,
    ),
    status: fc.oneof(fc.constantFrom(200, 400, 500, "200", 200.5, -1, 999), nastyLeaf),
    request: fc.oneof(jsonishString, nastyValue),
    response: fc.oneof(jsonishString, nastyValue, fc.constant(null)),
    logging: fc.oneof(fc.array(nastyString, { maxLength: 3 }), jsonishString, nastyLeaf),
  })
  .map(({ id, time, status, request, response, logging }) => ({
    databricks_request_id: id,
    request_time: time,
    timestamp_ms: time,
    status_code: status,
    request,
    response,
    logging_error_codes: logging,
    request_metadata: response,
  }));

describe("normaliseRow under hostile rows", () => {
  it("returns a valid AgentExecution or throws RowParseError naming the row, for any row", () => {
    fc.assert(
      fc.property(
        fc.oneof(hostileRow, nearlyValidRow),
        fc.constantFrom("ai-gateway", "legacy" as const),
        (row, kind) => {
          const outcome = parse(row, kind);
          tally.add(`row parser: random ${kind} rows`, outcome.ok ? "parsed" : "RowParseError");
          if (!outcome.ok) {
            const id = idOf(row);
            expect(outcome.error.requestId).toBe(id);
            if (id) expect(outcome.error.message).toContain(id);
          }
        },
      ),
      { numRuns: 600 },
    );
  });

  it("trace rows with spans of any shape: an AgentExecution or a RowParseError", () => {
    const span = fc.oneof(
      nastyValue,
      fc.record(
        {
          span_id: fc.oneof(nastyString, nastyLeaf),
          trace_id: nastyString,
          parent_id: fc.oneof(nastyString, fc.constant(null)),
          name: fc.oneof(nastyString, nastyLeaf),
          start_time_unix_nano: fc.oneof(nastyLeaf, fc.bigInt({ min: 0n, max: 2n ** 64n })),
          end_time_unix_nano: nastyLeaf,
          attributes: fc.oneof(nastyValue, jsonishString),
          status: fc.oneof(nastyValue, jsonishString),
          events: fc.oneof(nastyValue, jsonishString),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(fc.oneof(nastyString, nastyLeaf), fc.array(span, { maxLength: 5 }), (traceId, spans) => {
        const outcome = parse({ trace_id: traceId, spans } as TraceRow, "trace");
        tally.add("row parser: random trace rows", outcome.ok ? "parsed" : "RowParseError");
      }),
      { numRuns: 300 },
    );
  });

  describe("named hostile cases", () => {
    const base = {
      databricks_request_id: "req-named",
      request_time: "2025-01-01T10:00:00Z",
      status_code: 200,
      response: JSON.stringify({ choices: [{ message: { role: "assistant", content: "ok" } }] }),
    };
    const cases: [string, Record<string, unknown>, "parsed" | "RowParseError" | "either"][] = [
      ["malformed JSON request", { ...base, request: '{"messages": [' }, "RowParseError"],
      ["single-quoted pseudo JSON", { ...base, request: "{'messages': []}" }, "RowParseError"],
      ["malformed JSON response on a 200", { ...base, request: "{}", response: "{oops" }, "RowParseError"],
      [
        "malformed JSON response on a 500 is kept as text",
        { ...base, status_code: 500, request: "{}", response: "<html>502" },
        "parsed",
      ],
      // Whether 10,000 levels fit the stack depends on its size (plain Node overflowed, vitest's
      // workers do not): either outcome is fine, a RangeError is not.
      [
        `${DEEP_LEVELS}-level JSON array request`,
        { ...base, request: deepJsonText(DEEP_LEVELS, "array"), response: "{}" },
        "either",
      ],
      // Regression: normaliseRow threw RangeError (stack overflow) turning this back into text (an
      // unknown payload format: the body becomes the input message's text).
      [
        "1,000,000-level JSON array request",
        { ...base, request: deepJsonText(1_000_000, "array"), response: "{}" },
        "RowParseError",
      ],
      [
        `${DEEP_LEVELS}-level JSON object request`,
        { ...base, request: deepJsonText(DEEP_LEVELS, "object") },
        "parsed",
      ],
      [
        `${DEEP_LEVELS}-level nested value from the driver`,
        { ...base, request: deepValue(DEEP_LEVELS) },
        "RowParseError",
      ],
      [
        "10 MB prompt",
        {
          ...base,
          request: JSON.stringify({ messages: [{ role: "user", content: hugeString(HUGE_CHARS) }] }),
        },
        "parsed",
      ],
      ["10 MB of non-JSON request", { ...base, request: hugeString(HUGE_CHARS) }, "RowParseError"],
      [
        "lone surrogates in content",
        { ...base, request: JSON.stringify({ messages: [{ role: "user", content: "a\ud800b\udfffc" }] }) },
        "parsed",
      ],
      [
        "escaped lone surrogates in JSON",
        { ...base, request: '{"messages":[{"role":"user","content":"\\ud800\\udc00\\ud800"}]}' },
        "parsed",
      ],
      [
        "invalid UTF-8 decoded to U+FFFD",
        { ...base, request: Buffer.from([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d]).toString("utf8") },
        "parsed",
      ],
      ["request as raw bytes", { ...base, request: Buffer.from([0xff, 0xfe, 0x00]) }, "parsed"],
      ["every column null", Object.fromEntries(PAYLOAD_COLUMNS.map((c) => [c, null])), "RowParseError"],
      ["empty row", {}, "RowParseError"],
      ["id as a number", { ...base, databricks_request_id: 42, request: "{}" }, "parsed"],
      ["id as an array", { ...base, databricks_request_id: ["req"], request: "{}" }, "RowParseError"],
      ["status as a string", { ...base, status_code: "200", request: "{}" }, "parsed"],
      ["status as an object", { ...base, status_code: { value: 200 }, request: "{}" }, "RowParseError"],
      // Regression: an integer beyond 2^53 passed and made an execution its own schema rejects.
      ["status -1e308", { ...base, status_code: -1e308, request: "{}" }, "RowParseError"],
      [
        "time as a Date",
        { ...base, request_time: new Date("2025-01-01T10:00:00Z"), request: "{}" },
        "parsed",
      ],
      [
        "time as an invalid Date",
        { ...base, request_time: new Date(Number.NaN), request: "{}" },
        "RowParseError",
      ],
      [
        "messages as an object instead of an array",
        { ...base, request: JSON.stringify({ messages: { role: "user" } }) },
        "parsed",
      ],
      [
        "content as a number, role missing",
        { ...base, request: JSON.stringify({ messages: [{ content: 5 }, null, 7] }) },
        "parsed",
      ],
      [
        "tool calls of wrong types",
        {
          ...base,
          response: JSON.stringify({
            choices: [
              {
                message: {
                  tool_calls: [null, 1, { function: [] }, { id: {}, function: { name: 3, arguments: {} } }],
                },
              },
            ],
          }),
          request: "{}",
        },
        "parsed",
      ],
      [
        "logging_error_codes as an object",
        { ...base, request: "{}", logging_error_codes: { a: 1 } },
        "parsed",
      ],
      [
        "request_metadata as an array",
        { ...base, request: "{}", request_metadata: [1, [2, 3], ["k", "v"]] },
        "parsed",
      ],
      [
        "unexpected columns only",
        { ...base, request: "{}", __proto__: "x", "": null, "weird col": [1] },
        "parsed",
      ],
    ];
    it.each(cases)("%s", (name, row, expected) => {
      const outcome = parse(row, "ai-gateway");
      tally.add(`row parser: ${name}`, outcome.ok ? "parsed" : "RowParseError");
      if (expected !== "either") expect(outcome.ok ? "parsed" : "RowParseError").toBe(expected);
      if (!outcome.ok && idOf(row)) expect(outcome.error.message).toContain(idOf(row));
    });

    it("invalid UTF-8 in every column", () => {
      fc.assert(
        fc.property(invalidUtf8, (bad) => {
          const row = Object.fromEntries(PAYLOAD_COLUMNS.map((c) => [c, bad]));
          const outcome = parse(row, "legacy");
          tally.add("row parser: invalid UTF-8 everywhere", outcome.ok ? "parsed" : "RowParseError");
        }),
        { numRuns: 30 },
      );
    });
  });
});

afterAll(() => {
  console.log(tally.table("Row parser (normaliseRow) under bad input"));
});
