/**
 * Hostile input on every surface's normaliser (fast-check, as packages/e2e/test/fuzz-*.ts): whatever
 * a row, a trace's spans or a REST trace holds, the result is a schema-valid AgentExecution whose
 * tool calls lie inside it, or the documented RowParseError. Anything else escaping is a crash.
 */
import { AgentExecutionSchema } from "@pipekit/agent-execution";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normaliseRow, RowParseError, type TableKind } from "../src/index.js";
import { normaliseTraceInfo } from "../src/normalise/normalise-trace-info.js";

const AGENT = { endpoint: "fuzz-agent", task: "agent/v1/responses" };
const ORIGIN = { workspace: "fuzz.cloud.databricks.com", table: "workspace.default.fuzz" };
const RUNS = 400;

const leaf = fc.oneof(
  fc.string(),
  fc.constant(""),
  fc.integer(),
  fc.double(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.date({ noInvalidDate: false }),
  fc.constantFrom("STATUS_CODE_ERROR", "STATUS_CODE_OK", "ERROR", "OK", "IN_PROGRESS", "1.5s", "-3s"),
  fc.constantFrom("2026-11-18 10:13:20.000", "2026-11-18T10:13:20Z", "not a time", "1795000000000"),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    leaf,
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie("v"), { maxKeys: 4 }),
  ),
})).v;
const nanos = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 63n }).map(String), leaf);
const span = fc.record(
  {
    trace_id: fc.oneof(fc.constant("tr-1"), leaf),
    span_id: fc.oneof(fc.stringMatching(/^[0-9a-f]{1,16}$/), leaf),
    parent_span_id: fc.oneof(fc.constant(""), fc.constant("root"), leaf),
    name: fc.oneof(fc.constantFrom("agent", "tool"), leaf),
    start_time_unix_nano: nanos,
    end_time_unix_nano: nanos,
    attributes: fc.oneof(
      fc.dictionary(
        fc.constantFrom(
          "mlflow.spanType",
          "mlflow.spanInputs",
          "mlflow.spanOutputs",
          "mlflow.chat.tokenUsage",
        ),
        fc.oneof(fc.constantFrom('"TOOL"', '"RETRIEVER"', '"AGENT"', "{}"), fc.string()),
      ),
      fc.string(),
      value,
    ),
    events: fc.oneof(
      fc.constant([{ name: "exception", attributes: { "exception.message": '"boom"' } }]),
      value,
    ),
    status: fc.oneof(fc.record({ code: leaf, message: leaf }), fc.string(), value),
    service_name: leaf,
    resource: value,
  },
  { requiredKeys: [] },
);

function check(run: () => unknown): void {
  let execution: unknown;
  try {
    execution = run();
  } catch (error) {
    if (error instanceof RowParseError) return;
    throw error;
  }
  const parsed = AgentExecutionSchema.safeParse(execution);
  expect(parsed.success, parsed.success ? "" : parsed.error.message).toBe(true);
  const e = parsed.data!;
  for (const t of e.toolCalls) {
    if (t.startTime === undefined || e.durationMs === undefined) continue;
    expect(t.startTime).toBeGreaterThanOrEqual(e.startTime);
    expect(t.startTime).toBeLessThanOrEqual(e.startTime + e.durationMs);
  }
}

describe("fuzz: surface normalisers return an execution or a RowParseError", () => {
  it("AI Gateway (Beta) rows", () => {
    const row = fc.record(
      {
        invocation_id: fc.oneof(fc.uuid(), leaf),
        event_time: leaf,
        status_code: fc.oneof(fc.constantFrom(200, 429, 500), leaf),
        latency_ms: leaf,
        request: fc.oneof(fc.json(), fc.string(), leaf),
        response: fc.oneof(fc.json(), fc.string(), leaf),
        logging_error_codes: value,
        endpoint_name: leaf,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(row, (r) => check(() => normaliseRow(r, "ai-gateway-beta", AGENT, ORIGIN))),
      { numRuns: RUNS },
    );
  });

  it("span-table traces and unified-view rows", () => {
    const spans = fc.array(span, { maxLength: 6 });
    fc.assert(
      fc.property(
        spans,
        fc.constantFrom<TableKind>("trace", "trace-view"),
        leaf,
        leaf,
        fc.boolean(),
        (list, kind, time, state, asText) =>
          check(() =>
            kind === "trace"
              ? normaliseRow(
                  { trace_id: "tr-1", spans: list as Record<string, unknown>[] },
                  "trace",
                  AGENT,
                  ORIGIN,
                )
              : normaliseRow(
                  {
                    trace_id: "tr-1",
                    request_time: time,
                    state,
                    spans: asText
                      ? JSON.stringify(list, (_k, v) => (typeof v === "bigint" ? String(v) : v))
                      : list,
                  },
                  "trace-view",
                  AGENT,
                  ORIGIN,
                ),
          ),
      ),
      { numRuns: RUNS },
    );
  });

  it("embedded databricks_output.trace in payload rows", () => {
    fc.assert(
      fc.property(fc.array(span, { maxLength: 5 }), leaf, (list, duration) => {
        const response = JSON.stringify(
          {
            messages: [{ role: "assistant", content: "ok" }],
            databricks_output: { trace: { info: { trace_id: "tr-9" }, data: { spans: list } } },
          },
          (_k, v) => (typeof v === "bigint" ? String(v) : v),
        );
        const row = {
          databricks_request_id: "req-1",
          request_time: "2026-11-18 10:13:20.000",
          status_code: 200,
          execution_duration_ms: duration,
          request: '{"messages":[]}',
          response,
        };
        check(() => normaliseRow(row, "ai-gateway", AGENT, ORIGIN));
      }),
      { numRuns: RUNS },
    );
  });

  it("experiment traces over REST", () => {
    const info = fc.record(
      {
        trace_id: fc.oneof(fc.constant("tr-2"), leaf),
        request_time: leaf,
        execution_duration: leaf,
        state: leaf,
        request_preview: fc.oneof(fc.json(), leaf),
        response_preview: fc.oneof(fc.json(), leaf),
        trace_metadata: value,
        trace_location: value,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(info, fc.option(fc.array(span, { maxLength: 4 })), (i, spans) =>
        check(() => normaliseTraceInfo(i, spans ?? undefined, AGENT, ORIGIN)),
      ),
      {
        numRuns: RUNS,
        // Found by a CI run: an infinite duration reached the AgentExecution schema (a ZodError).
        examples: [
          [{ trace_id: "tr-2", request_time: 0, execution_duration: Number.POSITIVE_INFINITY }, null],
        ],
      },
    );
  });
});
