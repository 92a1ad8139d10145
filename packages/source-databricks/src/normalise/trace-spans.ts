import type { ToolCallCollector } from "./tool-calls.js";
import { asArray, asNumber, asRecord, asString, type JsonObject, toText } from "./values.js";

/** One span in the shapes MLflow writes (v3 OTel-style, and the older v2 `context`/`parent_id` style). */
export interface SpanView {
  readonly spanId: string;
  readonly parentId: string | undefined;
  readonly name: string;
  readonly spanType: string | undefined;
  readonly startMs: number | undefined;
  readonly endMs: number | undefined;
  readonly inputs: string | undefined;
  readonly outputs: string | undefined;
  readonly error: string | undefined;
  readonly attributes: JsonObject;
}

/** MLflow stores attribute values JSON-encoded ("\"TOOL\""); decode once when it parses. */
export function decodeAttribute(v: unknown): unknown {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** Epoch nanoseconds (bigint, decimal text, number) → epoch ms; text is exact beyond 2^53. */
export function nanosToMs(v: unknown): number | undefined {
  if (typeof v === "bigint") return Number(v / 1_000_000n);
  if (typeof v === "string" && /^-?\d{1,30}$/.test(v.trim())) return Number(BigInt(v.trim()) / 1_000_000n);
  const n = asNumber(v);
  return n === undefined ? undefined : Math.floor(n / 1_000_000);
}

export function readSpan(raw: unknown): SpanView | undefined {
  const s = asRecord(raw);
  if (!s) return undefined;
  const context = asRecord(s.context);
  const spanId = asString(s.span_id) ?? asString(context?.span_id);
  const name = asString(s.name);
  if (!spanId || !name) return undefined;
  const attributes =
    asRecord(typeof s.attributes === "string" ? decodeAttribute(s.attributes) : s.attributes) ?? {};
  const status = asRecord(typeof s.status === "string" ? decodeAttribute(s.status) : s.status);
  const statusCode = asString(status?.code) ?? asString(s.status_code) ?? "";
  const isError = /ERROR/i.test(statusCode) || statusCode === "2";
  const errorMessage = asString(status?.message) ?? asString(s.status_message);
  const inputs = attributes["mlflow.spanInputs"];
  const outputs = attributes["mlflow.spanOutputs"];
  return {
    spanId,
    parentId: asString(s.parent_span_id) ?? asString(s.parent_id) ?? undefined,
    name,
    spanType: asString(decodeAttribute(attributes["mlflow.spanType"])),
    startMs: nanosToMs(s.start_time_unix_nano ?? s.start_time_ns ?? s.start_time),
    endMs: nanosToMs(s.end_time_unix_nano ?? s.end_time_ns ?? s.end_time),
    inputs: inputs === undefined ? undefined : toText(decodeAttribute(inputs)),
    outputs: outputs === undefined ? undefined : toText(decodeAttribute(outputs)),
    error: isError ? exceptionOf(s.events) || errorMessage || "span failed" : undefined,
    attributes,
  };
}

/** MLflow records a failure as an `exception` event (OTel names): "Type: message". */
function exceptionOf(events: unknown): string | undefined {
  const list = asArray(typeof events === "string" ? decodeAttribute(events) : events) ?? [];
  for (const raw of list) {
    const event = asRecord(raw);
    if (asString(event?.name) !== "exception") continue;
    const attrs = asRecord(
      typeof event?.attributes === "string" ? decodeAttribute(event.attributes) : event?.attributes,
    );
    const type = asString(decodeAttribute(attrs?.["exception.type"]));
    const message = asString(decodeAttribute(attrs?.["exception.message"]));
    if (message) return type ? `${type}: ${message}` : message;
    if (type) return type;
  }
  return undefined;
}

export interface Usage {
  promptTokens?: number;
  completionTokens?: number;
  totalTokens?: number;
}

/** Token usage as OpenAI (`prompt_tokens`) or Responses/MLflow (`input_tokens`) names it. */
export function readUsage(v: unknown): Usage | undefined {
  const u = asRecord(decodeAttribute(v));
  if (!u) return undefined;
  const prompt = asNumber(u.prompt_tokens ?? u.input_tokens);
  const completion = asNumber(u.completion_tokens ?? u.output_tokens);
  const total =
    asNumber(u.total_tokens) ??
    (prompt !== undefined && completion !== undefined ? prompt + completion : undefined);
  if (prompt === undefined && completion === undefined && total === undefined) return undefined;
  const out: Usage = {};
  if (prompt !== undefined) out.promptTokens = prompt;
  if (completion !== undefined) out.completionTokens = completion;
  if (total !== undefined) out.totalTokens = total;
  return out;
}

/**
 * Puts a trace's spans on the execution's clock. Span times come from the model server's clock and
 * may be anything (a stale container clock, a template's fixed date); what Akto relates a tool call
 * to is its parent execution, so a span keeps its offset from the root span and is placed from the
 * execution's start, clamped into [start, start + duration] (skew can put a child before its root).
 */
export function anchorSpans(
  spans: readonly SpanView[],
  startMs: number,
  durationMs: number | undefined,
): SpanView[] {
  const root = spans.find((s) => !s.parentId && s.startMs !== undefined);
  const origin = root?.startMs ?? Math.min(...spans.map((s) => s.startMs ?? Number.POSITIVE_INFINITY));
  if (!Number.isFinite(origin)) return [...spans];
  const end = durationMs !== undefined && durationMs >= 0 ? startMs + durationMs : Number.POSITIVE_INFINITY;
  const place = (t: number | undefined) =>
    t === undefined ? undefined : Math.min(end, Math.max(startMs, startMs + (t - origin)));
  return spans.map((s) => ({ ...s, startMs: place(s.startMs), endMs: place(s.endMs) }));
}

/**
 * MLflow span types that are calls the agent made to something else: tools, retrievers (vector
 * search), and models (LLM, CHAT_MODEL). Each becomes a tool-call record, so Akto sees the model
 * endpoints an agent calls (prompts going out are part of its attack surface) as well as its tools.
 * AGENT, CHAIN, PARSER… are the agent's own steps.
 */
const CALL_SPAN_TYPES = new Set(["TOOL", "RETRIEVER", "LLM", "CHAT_MODEL"]);

/** Adds TOOL, RETRIEVER and LLM/CHAT_MODEL child spans to `tools`; returns usage summed over spans that reported it. */
export function applySpans(spans: readonly SpanView[], tools: ToolCallCollector): Usage | undefined {
  let usage: Usage | undefined;
  for (const span of [...spans].sort((a, b) => (a.startMs ?? 0) - (b.startMs ?? 0))) {
    const type = span.spanType?.toUpperCase();
    if (span.parentId && type !== undefined && CALL_SPAN_TYPES.has(type)) {
      tools.addSpan({
        id: span.spanId,
        name: span.name,
        args: span.inputs ?? "",
        result: span.outputs,
        startTime: span.startMs,
        durationMs:
          span.startMs !== undefined && span.endMs !== undefined ? span.endMs - span.startMs : undefined,
        error: span.error,
      });
    }
    const u = readUsage(span.attributes["mlflow.chat.tokenUsage"]);
    if (u) {
      usage ??= {};
      for (const k of ["promptTokens", "completionTokens", "totalTokens"] as const) {
        if (u[k] !== undefined) usage[k] = (usage[k] ?? 0) + u[k];
      }
    }
  }
  return usage;
}

/** The spans of `databricks_output.trace` (an object or a JSON string). */
export function spansOfTrace(trace: unknown): {
  spans: SpanView[];
  traceId: string | undefined;
  usage: Usage | undefined;
} {
  const t = asRecord(decodeAttribute(trace));
  const data = asRecord(t?.data);
  const info = asRecord(t?.info);
  const spans = (asArray(data?.spans) ?? asArray(t?.spans) ?? [])
    .map(readSpan)
    .filter((s) => s !== undefined);
  const metadata = asRecord(info?.trace_metadata) ?? asRecord(info?.request_metadata);
  return {
    spans,
    traceId: asString(info?.trace_id) ?? asString(info?.request_id),
    usage: readUsage(metadata?.["mlflow.trace.tokenUsage"]),
  };
}
