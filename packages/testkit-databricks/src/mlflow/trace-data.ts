import { createHash } from "node:crypto";
import { spanAttributes } from "./span-content.js";
import type { TraceInfoV3 } from "./traces.js";

/** Where the emulator serves experiment trace data files (the "artifact store" of its links). */
export const TRACE_DATA_PATH = "/__artifacts/mlflow-traces";

/**
 * A trace's span data file (`{"spans": [...]}`, MLflow's traces.json) derived from its info: the
 * root span (empty parent) spans the execution; one trace in three has a TOOL child inside it.
 * A trace whose client_request_id ends in "-malformed" has a span without a name.
 */
export function traceData(trace: TraceInfoV3): { spans: Record<string, unknown>[] } {
  const startNs = BigInt(Date.parse(trace.request_time)) * 1_000_000n;
  const durationMs = Math.round(Number.parseFloat(trace.execution_duration) * 1000);
  const ns = (ms: number) => String(startNs + BigInt(ms) * 1_000_000n);
  const id = (salt: string) =>
    createHash("md5").update(`${trace.trace_id}:${salt}`).digest("hex").slice(0, 16);
  const digit = Number.parseInt(trace.trace_id.slice(-1), 16) || 0;
  const failed = trace.state === "ERROR";
  const root = {
    trace_id: trace.trace_id,
    span_id: id("root"),
    parent_span_id: "",
    name: trace.tags["mlflow.traceName"] ?? "agent",
    start_time_unix_nano: ns(0),
    end_time_unix_nano: ns(durationMs),
    attributes: spanAttributes({
      type: "AGENT",
      inputs: safeJson(trace.request_preview),
      outputs: safeJson(trace.response_preview),
    }),
    status: failed
      ? { code: "STATUS_CODE_ERROR", message: "RuntimeError: agent failed" }
      : { code: "STATUS_CODE_OK", message: "" },
    events: failed
      ? [
          {
            name: "exception",
            time_unix_nano: ns(durationMs),
            attributes: {
              "exception.type": JSON.stringify("RuntimeError"),
              "exception.message": JSON.stringify("agent failed"),
            },
          },
        ]
      : [],
  };
  const spans: Record<string, unknown>[] = [root];
  const malformed = isMalformed(trace);
  if (digit % 3 === 0 || malformed) {
    spans.push({
      trace_id: trace.trace_id,
      span_id: id("tool"),
      parent_span_id: root.span_id,
      name: malformed ? null : "lookup_order",
      start_time_unix_nano: ns(Math.floor(durationMs / 3)),
      end_time_unix_nano: ns(Math.floor((2 * durationMs) / 3)),
      attributes: spanAttributes({
        type: "TOOL",
        inputs: { order_id: "ORD-20417" },
        outputs: { status: "shipped" },
      }),
      status: { code: "STATUS_CODE_OK", message: "" },
      events: [],
    });
  }
  return { spans };
}

/** Tool calls the data of a trace holds (for the manifest). */
export function toolCallsOf(trace: TraceInfoV3): number {
  return (Number.parseInt(trace.trace_id.slice(-1), 16) || 0) % 3 === 0 || isMalformed(trace) ? 1 : 0;
}

export function isMalformed(trace: TraceInfoV3): boolean {
  return trace.client_request_id.endsWith("-malformed");
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
