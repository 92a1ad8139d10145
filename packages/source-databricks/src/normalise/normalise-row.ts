import type { AgentExecution, AgentRef } from "@pipekit/agent-execution";
import type { TableKind } from "../discovery/classify-table.js";
import { readBodies } from "./bodies.js";
import { normaliseTrace, normaliseTraceView, type TraceRow } from "./normalise-trace.js";
import { RowParseError } from "./row-parse-error.js";
import { anchorSpans, applySpans, readUsage, spansOfTrace, type Usage } from "./trace-spans.js";
import {
  asNumber,
  asRecord,
  asString,
  parseStringArray,
  parseStringMap,
  parseTimestamp,
  toText,
} from "./values.js";

export { RowParseError, type TraceRow };

export interface RowOrigin {
  /** Workspace host (no scheme). */
  readonly workspace?: string;
  /** Table full name. */
  readonly table?: string;
}

/**
 * One recorded invocation → AgentExecution. Understands ChatAgent, ResponsesAgent, OpenAI chat
 * completions and legacy (dataframe) payloads, `databricks_output.trace` spans, and whole traces
 * from span tables. Throws RowParseError when the row is unusable (invalid JSON, no id, no time).
 */
export function normaliseRow(
  row: Record<string, unknown> | TraceRow,
  tableKind: TableKind,
  agentRef: AgentRef,
  origin: RowOrigin = {},
): AgentExecution {
  try {
    switch (tableKind) {
      case "trace":
        return normaliseTrace(row as TraceRow, agentRef, origin);
      case "trace-view":
        return normaliseTraceView(row as Record<string, unknown>, agentRef, origin);
      case "ai-gateway-beta":
        return normalisePayload(
          fromBetaLayout(row as Record<string, unknown>),
          "ai-gateway",
          agentRef,
          origin,
          tableKind,
        );
      default:
        return normalisePayload(row as Record<string, unknown>, tableKind, agentRef, origin, tableKind);
    }
  } catch (error) {
    if (error instanceof RowParseError) throw error;
    // Hostile values the readers cannot take apart (e.g. JSON nested 10,000 levels deep overflows
    // the stack when turned back into text) are the row's fault: report them, do not crash.
    const reason = error instanceof Error ? error.message : String(error);
    throw new RowParseError(`unreadable value (${reason})`, rowId(row));
  }
}

function rowId(row: Record<string, unknown> | TraceRow): string | undefined {
  const r = row as Record<string, unknown>;
  return asString(r.databricks_request_id) ?? asString(r.invocation_id) ?? asString(r.trace_id);
}

/**
 * The AI Gateway (Beta) layout names the same facts differently: invocation_id, event_time,
 * latency_ms (docs/databricks-surfaces.md). Read through the payload path under the older names.
 */
function fromBetaLayout(row: Record<string, unknown>): Record<string, unknown> {
  const { invocation_id, event_time, latency_ms, ...rest } = row;
  return {
    ...rest,
    databricks_request_id: invocation_id,
    request_time: event_time,
    execution_duration_ms: latency_ms,
  };
}

function normalisePayload(
  row: Record<string, unknown>,
  kind: "ai-gateway" | "legacy",
  agentRef: AgentRef,
  origin: RowOrigin,
  tableKind: TableKind,
): AgentExecution {
  const beta = tableKind === "ai-gateway-beta";
  const requestId = asString(row.databricks_request_id);
  if (!requestId) {
    throw new RowParseError(`${beta ? "invocation_id" : "databricks_request_id"} is missing`, undefined);
  }
  const startTime = kind === "legacy" ? asNumber(row.timestamp_ms) : parseTimestamp(row.request_time);
  if (startTime === undefined) {
    const column = kind === "legacy" ? "timestamp_ms" : beta ? "event_time" : "request_time";
    throw new RowParseError(`${column} is not a timestamp`, requestId);
  }
  const statusCode = asNumber(row.status_code);
  if (statusCode === undefined || !Number.isSafeInteger(statusCode)) {
    throw new RowParseError("status_code is missing or not an integer", requestId);
  }
  const ok = statusCode >= 200 && statusCode < 400;
  const rawRequest = toText(row.request);
  const rawResponse = toText(row.response);
  const request = parseBody(rawRequest, "request", requestId, true);
  // An error answer may be plain text; a successful one must be JSON when present.
  const response = parseBody(rawResponse, "response", requestId, ok);

  const attributes: Record<string, string> = { tableKind };
  let agent = agentRef;
  if (kind === "legacy") {
    const meta = parseStringMap(row.request_metadata);
    agent = {
      ...agentRef,
      ...(meta.endpoint_name ? { endpoint: meta.endpoint_name } : {}),
      ...(meta.model_name ? { model: meta.model_name } : {}),
      ...(meta.model_version ? { modelVersion: meta.model_version } : {}),
    };
  }
  const servedEntityId = asString(row.served_entity_id);
  if (servedEntityId) attributes.servedEntityId = servedEntityId;
  const loggingErrorCodes = parseStringArray(row.logging_error_codes);
  if (loggingErrorCodes.length > 0) attributes.loggingErrorCodes = loggingErrorCodes.join(",");
  const sampling = asNumber(row.sampling_fraction);
  if (sampling !== undefined) attributes.samplingFraction = String(sampling);

  const body = readBodies(request, response, agent.task);
  const trace = spansOfTrace(asRecord(asRecord(response)?.databricks_output)?.trace);
  const rawDuration = asNumber(kind === "legacy" ? row.execution_time_ms : row.execution_duration_ms);
  // A negative duration says nothing (and would put the execution's tool calls before it ends).
  const duration = rawDuration !== undefined && rawDuration >= 0 ? rawDuration : undefined;
  const spanUsage = applySpans(anchorSpans(trace.spans, startTime, duration), body.tools);
  if (trace.traceId) attributes.traceId = trace.traceId;
  const context = asRecord(asRecord(request)?.context);
  const conversationId = asString(context?.conversation_id);
  if (conversationId) attributes.conversationId = conversationId;
  const userId = asString(context?.user_id);
  if (userId) attributes.userId = userId;

  const execution: AgentExecution = {
    platform: "databricks",
    workspace: origin.workspace ?? "",
    agent,
    requestId,
    table: origin.table ?? "",
    startTime,
    statusCode,
    status: ok ? "ok" : "error",
    payloadFormat: body.format,
    input: body.input,
    output: body.output,
    toolCalls: body.tools.toArray(),
    rawRequest,
    rawResponse,
    attributes,
  };
  const clientRequestId = asString(row.client_request_id);
  if (clientRequestId) execution.clientRequestId = clientRequestId;
  if (duration !== undefined) execution.durationMs = duration;
  const usage = readUsage(asRecord(response)?.usage) ?? spanUsage ?? trace.usage;
  if (usage) execution.usage = usage;
  const requester = asString(row.requester);
  if (requester) execution.requester = requester;
  const error = ok ? undefined : errorOf(response, rawResponse, statusCode);
  if (error) execution.error = error;
  else if (loggingErrorCodes.length > 0)
    execution.error = `payload not fully logged: ${loggingErrorCodes.join(", ")}`;
  return execution;
}

/** Empty → undefined; JSON → value; otherwise a RowParseError when JSON is required, else the text. */
function parseBody(text: string, what: string, requestId: string, required: boolean): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (!required) return text;
    throw new RowParseError(`${what} is not valid JSON (${(error as Error).message})`, requestId);
  }
}

function errorOf(response: unknown, rawResponse: string, statusCode: number): string {
  const r = asRecord(response);
  const nested = asRecord(r?.error);
  const message =
    asString(r?.message) ?? asString(nested?.message) ?? asString(r?.error) ?? asString(r?.detail);
  const code = asString(r?.error_code) ?? asString(nested?.code) ?? asString(nested?.type);
  if (message) return code ? `${code}: ${message}` : message;
  if (typeof response === "string" && response.trim() !== "") return response.slice(0, 2000);
  return rawResponse.trim() !== "" ? rawResponse.slice(0, 2000) : `HTTP ${statusCode}`;
}

export type { Usage };
