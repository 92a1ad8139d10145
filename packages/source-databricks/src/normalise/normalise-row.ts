import type { AgentExecution, AgentRef, ChatMessage } from "@pipekit/agent-execution";
import type { TableKind } from "../discovery/classify-table.js";
import { parseChatMessages, parseChoices } from "./chat-messages.js";
import { parseResponsesItems } from "./responses-items.js";
import { ToolCallCollector } from "./tool-calls.js";
import { applySpans, readSpan, readUsage, type SpanView, spansOfTrace, type Usage } from "./trace-spans.js";
import {
  asArray,
  asNumber,
  asRecord,
  asString,
  type JsonObject,
  parseStringArray,
  parseStringMap,
  parseTimestamp,
  toText,
} from "./values.js";

/** A row that cannot become an AgentExecution; it goes to the dead-letter path, not a crash. */
export class RowParseError extends Error {
  override readonly name = "RowParseError";
  constructor(
    readonly reason: string,
    /** databricks_request_id / trace_id when the row had one. */
    readonly requestId: string | undefined,
  ) {
    super(`Cannot parse row${requestId ? ` ${requestId}` : ""}: ${reason}`);
  }
}

/** A row of a trace table is a whole trace: the spans sharing one trace_id. */
export interface TraceRow {
  readonly trace_id: string;
  readonly spans: readonly Record<string, unknown>[];
}

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
    if (tableKind === "trace") return normaliseTrace(row as TraceRow, agentRef, origin);
    return normalisePayload(row as Record<string, unknown>, tableKind, agentRef, origin);
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
  return asString(r.databricks_request_id) ?? asString(r.trace_id);
}

function normalisePayload(
  row: Record<string, unknown>,
  kind: "ai-gateway" | "legacy",
  agentRef: AgentRef,
  origin: RowOrigin,
): AgentExecution {
  const requestId = asString(row.databricks_request_id);
  if (!requestId) throw new RowParseError("databricks_request_id is missing", undefined);
  const startTime = kind === "legacy" ? asNumber(row.timestamp_ms) : parseTimestamp(row.request_time);
  if (startTime === undefined) {
    throw new RowParseError(
      `${kind === "legacy" ? "timestamp_ms" : "request_time"} is not a timestamp`,
      requestId,
    );
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

  const attributes: Record<string, string> = { tableKind: kind };
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
  const spanUsage = applySpans(trace.spans, body.tools);
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
  const duration = asNumber(kind === "legacy" ? row.execution_time_ms : row.execution_duration_ms);
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

interface Bodies {
  format: string;
  input: ChatMessage[];
  output: ChatMessage[];
  tools: ToolCallCollector;
}

const LEGACY_INPUT_KEYS = ["dataframe_records", "dataframe_split", "instances", "inputs"] as const;

function readBodies(request: unknown, response: unknown, task: string | undefined): Bodies {
  const req = asRecord(request);
  const res = asRecord(response);
  const tools = new ToolCallCollector();
  // Calls are taken from the answer (this execution's work); the request's history only supplies
  // results for them, so a call made in an earlier turn is not reported again.
  const historyTools = new ToolCallCollector();

  if (req?.input !== undefined || isResponsesOutput(res?.output)) {
    const input = parseResponsesItems(req?.input, historyTools);
    const output = parseResponsesItems(res?.output, tools);
    return { format: "responses-agent", input, output, tools: withHistoryResults(tools, historyTools) };
  }
  if (asArray(res?.choices)) {
    const input = parseChatMessages(req?.messages, historyTools);
    const output = parseChoices(res?.choices, tools);
    return { format: "chat-completions", input, output, tools: withHistoryResults(tools, historyTools) };
  }
  if (asArray(req?.messages) || asArray(res?.messages)) {
    const input = parseChatMessages(req?.messages, historyTools);
    const output = parseChatMessages(res?.messages, tools);
    const format = asArray(res?.messages) || task?.startsWith("agent/") ? "chat-agent" : "chat-completions";
    return { format, input, output, tools: withHistoryResults(tools, historyTools) };
  }
  if (req && LEGACY_INPUT_KEYS.some((k) => req[k] !== undefined)) {
    const key = LEGACY_INPUT_KEYS.find((k) => req[k] !== undefined)!;
    const predictions = res?.predictions ?? res?.outputs ?? response;
    return {
      format: "legacy",
      input: [{ role: "user", content: toText(req[key]) }],
      output: predictions === undefined ? [] : [{ role: "assistant", content: toText(predictions) }],
      tools,
    };
  }
  return {
    format: "unknown",
    input: request === undefined ? [] : [{ role: "user", content: toText(request) }],
    output: response === undefined ? [] : [{ role: "assistant", content: toText(response) }],
    tools,
  };
}

function isResponsesOutput(v: unknown): boolean {
  const items = asArray(v);
  return !!items && items.some((i) => typeof asRecord(i)?.type === "string");
}

/** Results found only in the request history complete the answer's calls (multi-turn tool loops). */
function withHistoryResults(tools: ToolCallCollector, history: ToolCallCollector): ToolCallCollector {
  for (const h of history.toArray()) if (h.result !== undefined) tools.addResult(h.id, h.result);
  return tools;
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

function normaliseTrace(row: TraceRow, agentRef: AgentRef, origin: RowOrigin): AgentExecution {
  const traceId = asString(row.trace_id);
  if (!traceId) throw new RowParseError("trace_id is missing", undefined);
  const spans: SpanView[] = [];
  for (const raw of row.spans) {
    const span = readSpan(raw);
    if (!span) throw new RowParseError("a span lacks span_id or name", traceId);
    spans.push(span);
  }
  const root = spans.find((s) => !s.parentId) ?? spans[0];
  if (!root || root.startMs === undefined)
    throw new RowParseError("trace has no root span with a start time", traceId);
  const tools = new ToolCallCollector();
  const rootInputs = decodeJson(root.inputs);
  const rootOutputs = decodeJson(root.outputs);
  const body = readBodies(rootInputs, rootOutputs, agentRef.task);
  for (const t of body.tools.toArray()) {
    tools.addCall(t.id, t.name, t.arguments);
    if (t.result !== undefined) tools.addResult(t.id, t.result);
  }
  const usage = applySpans(spans, tools);
  // The root span's status is the execution's: a failed tool the agent recovered from is not a failure.
  const failed = root.error !== undefined;
  const execution: AgentExecution = {
    platform: "databricks",
    workspace: origin.workspace ?? "",
    agent: agentRef,
    requestId: traceId,
    table: origin.table ?? "",
    startTime: root.startMs,
    statusCode: failed ? 500 : 200,
    status: failed ? "error" : "ok",
    payloadFormat: "trace",
    input: body.input,
    output: body.output,
    toolCalls: tools.toArray(),
    rawRequest: root.inputs ?? "",
    rawResponse: root.outputs ?? "",
    attributes: { tableKind: "trace", traceId, spanCount: String(spans.length) },
  };
  if (root.endMs !== undefined) execution.durationMs = root.endMs - root.startMs;
  if (usage) execution.usage = usage;
  if (root.error !== undefined) execution.error = root.error;
  const requestId = asString((root.attributes as JsonObject)["mlflow.traceRequestId"]);
  if (requestId) execution.attributes.databricksRequestId = requestId;
  return execution;
}

function decodeJson(text: string | undefined): unknown {
  if (text === undefined || text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export type { Usage };
