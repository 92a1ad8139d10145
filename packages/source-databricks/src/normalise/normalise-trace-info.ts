import type { AgentExecution, AgentRef } from "@pipekit/agent-execution";
import { normaliseTrace } from "./normalise-trace.js";
import { RowParseError } from "./row-parse-error.js";
import { asArray, asRecord, asString, parseStringMap, parseTimestamp } from "./values.js";

/**
 * An MLflow experiment trace over REST → AgentExecution. `info` is a TraceInfoV3 from
 * `POST /api/3.0/mlflow/traces/search` (request_time RFC 3339, execution_duration "1.234s", state
 * OK|ERROR|IN_PROGRESS, request/response previews); `spans`, when fetched, are the trace data's
 * spans (MLflow keeps them in the experiment's artifact store, not in the search answer).
 */
export function normaliseTraceInfo(
  info: Record<string, unknown>,
  spans: readonly Record<string, unknown>[] | undefined,
  agentRef: AgentRef,
  origin: { workspace?: string; table?: string },
): AgentExecution {
  const traceId = asString(info.trace_id) ?? asString(info.request_id);
  if (!traceId) throw new RowParseError("trace_id is missing", undefined);
  const startMs = parseTimestamp(info.request_time) ?? parseTimestamp(info.timestamp_ms);
  if (startMs === undefined) throw new RowParseError("request_time is not a timestamp", traceId);
  const execution = normaliseTrace({ trace_id: traceId, spans: spans ?? [] }, agentRef, origin, {
    startMs,
    durationMs: durationOf(info.execution_duration ?? info.execution_time_ms),
    state: asString(info.state) ?? asString(info.status),
    request: asString(info.request_preview) ?? asString(info.request),
    response: asString(info.response_preview) ?? asString(info.response),
  });
  execution.attributes.tableKind = "experiment-traces";
  const experiment = asString(asRecord(asRecord(info.trace_location)?.mlflow_experiment)?.experiment_id);
  if (experiment) execution.attributes.experimentId = experiment;
  const clientRequestId = asString(info.client_request_id);
  if (clientRequestId) execution.clientRequestId = clientRequestId;
  const user = parseStringMap(info.trace_metadata)["mlflow.trace.user"];
  if (user) execution.requester = user;
  return execution;
}

/** Protobuf Duration as JSON ("1.234s") or a number of milliseconds. */
function durationOf(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  const text = asString(v);
  if (!text) return undefined;
  const seconds = /^(\d+(?:\.\d+)?)s$/.exec(text.trim());
  if (seconds?.[1]) return Math.round(Number(seconds[1]) * 1000);
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** The spans of a downloaded trace data file (`{"spans": [...]}`). */
export function spansOfTraceData(data: unknown): Record<string, unknown>[] {
  return (asArray(asRecord(data)?.spans) ?? []).filter((s) => asRecord(s) !== undefined) as Record<
    string,
    unknown
  >[];
}
