import type { AgentExecution, AgentRef } from "@pipekit/agent-execution";
import { readBodies } from "./bodies.js";
import { RowParseError } from "./row-parse-error.js";
import { ToolCallCollector } from "./tool-calls.js";
import { anchorSpans, applySpans, readSpan, type SpanView } from "./trace-spans.js";
import {
  asArray,
  asNumber,
  asString,
  type JsonObject,
  parseStringMap,
  parseTimestamp,
  toText,
} from "./values.js";

/** A row of a trace table is a whole trace: the spans sharing one trace_id. */
export interface TraceRow {
  readonly trace_id: string;
  readonly spans: readonly Record<string, unknown>[];
}

export interface TraceOrigin {
  readonly workspace?: string;
  readonly table?: string;
}

/** The execution's clock and outcome when the trace's own info gives them (the unified view). */
interface TraceInfoOverride {
  readonly startMs: number;
  readonly durationMs: number | undefined;
  readonly state: string | undefined;
  readonly request: string | undefined;
  readonly response: string | undefined;
}

/**
 * A whole trace → AgentExecution: the root span (empty parent_span_id) gives input, output, timing
 * and status; TOOL, RETRIEVER and LLM/CHAT_MODEL child spans become tool calls with their own times, placed on the
 * execution's clock (see anchorSpans).
 */
export function normaliseTrace(
  row: TraceRow,
  agentRef: AgentRef,
  origin: TraceOrigin,
  info?: TraceInfoOverride,
  tableKind: "trace" | "trace-view" = "trace",
): AgentExecution {
  const traceId = asString(row.trace_id);
  if (!traceId) throw new RowParseError("trace_id is missing", undefined);
  const spans: SpanView[] = [];
  for (const raw of row.spans) {
    const span = readSpan(raw);
    if (!span) throw new RowParseError("a span lacks span_id or name", traceId);
    spans.push(span);
  }
  const root = spans.find((s) => !s.parentId) ?? spans[0];
  const startTime = info?.startMs ?? root?.startMs;
  if (startTime === undefined) throw new RowParseError("trace has no root span with a start time", traceId);
  const rootDuration =
    root?.startMs !== undefined && root.endMs !== undefined ? root.endMs - root.startMs : undefined;
  // A negative duration (clock skew, a span ended before it began) says nothing: left out.
  const durationMs = nonNegative(info?.durationMs) ?? nonNegative(rootDuration);
  const rawRequest = info?.request ?? root?.inputs ?? "";
  const rawResponse = info?.response ?? root?.outputs ?? "";
  const body = readBodies(decodeJson(rawRequest), decodeJson(rawResponse), agentRef.task);
  const tools = new ToolCallCollector();
  for (const t of body.tools.toArray()) {
    tools.addCall(t.id, t.name, t.arguments);
    if (t.result !== undefined) tools.addResult(t.id, t.result);
  }
  const usage = applySpans(anchorSpans(spans, startTime, durationMs), tools);
  // The trace's state (else the root span's status) is the execution's: a failed tool the agent
  // recovered from is not a failure.
  const failed = info?.state !== undefined ? info.state.toUpperCase() === "ERROR" : root?.error !== undefined;
  const execution: AgentExecution = {
    platform: "databricks",
    workspace: origin.workspace ?? "",
    agent: agentRef,
    requestId: traceId,
    table: origin.table ?? "",
    startTime,
    statusCode: failed ? 500 : 200,
    status: failed ? "error" : "ok",
    payloadFormat: "trace",
    input: body.input,
    output: body.output,
    toolCalls: tools.toArray(),
    rawRequest,
    rawResponse,
    attributes: { tableKind, traceId, spanCount: String(spans.length) },
  };
  if (durationMs !== undefined) execution.durationMs = durationMs;
  if (usage) execution.usage = usage;
  if (failed) execution.error = root?.error ?? "trace state ERROR";
  if (info?.state) execution.attributes.traceState = info.state;
  const requestId = asString(
    decodeJson(asString((root?.attributes as JsonObject)?.["mlflow.traceRequestId"])),
  );
  if (requestId && requestId !== traceId) execution.attributes.databricksRequestId = requestId;
  return execution;
}

/**
 * A row of `{prefix}_trace_unified` (one trace; spans as an array, or its JSON text over a
 * column-based result). The view's request_time, state and duration are the execution's; a trace
 * whose span data is missing (MLflow's "No trace data") still yields its request and response.
 */
export function normaliseTraceView(
  row: Record<string, unknown>,
  agentRef: AgentRef,
  origin: TraceOrigin,
): AgentExecution {
  const traceId = asString(row.trace_id);
  if (!traceId) throw new RowParseError("trace_id is missing", undefined);
  const startMs = parseTimestamp(row.request_time);
  if (startMs === undefined) throw new RowParseError("request_time is not a timestamp", traceId);
  const spans = asArray(typeof row.spans === "string" ? parseJson(row.spans, traceId) : row.spans);
  if (!spans && row.spans !== null && row.spans !== undefined) {
    throw new RowParseError("spans is not an array", traceId);
  }
  const execution = normaliseTrace(
    { trace_id: traceId, spans: (spans ?? []) as Record<string, unknown>[] },
    agentRef,
    origin,
    {
      startMs,
      durationMs: asNumber(row.execution_duration_ms),
      state: asString(row.state),
      request: row.request === undefined || row.request === null ? undefined : toText(row.request),
      response: row.response === undefined || row.response === null ? undefined : toText(row.response),
    },
    "trace-view",
  );
  const clientRequestId = asString(row.client_request_id);
  if (clientRequestId) execution.clientRequestId = clientRequestId;
  const user = parseStringMap(row.trace_metadata)["mlflow.trace.user"];
  if (user) execution.requester = user;
  return execution;
}

/** A usable duration: finite and not negative (a JSON number can still be 1e999, i.e. Infinity). */
function nonNegative(n: number | undefined): number | undefined {
  return n !== undefined && Number.isFinite(n) && n >= 0 ? n : undefined;
}

function parseJson(text: string, traceId: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RowParseError(`spans is not valid JSON (${(error as Error).message})`, traceId);
  }
}

export function decodeJson(text: string | undefined): unknown {
  if (text === undefined || text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
