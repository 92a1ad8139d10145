import {
  chatModelSpan,
  exceptionAttributes,
  type SpanContent,
  spanAttributes,
} from "../mlflow/span-content.js";
import type { AgentSpec } from "./agents.js";
import type { Prng } from "./prng.js";

/** One OTel span as MLflow 3 writes it (attribute values JSON-encoded, times in ns). */
export interface PlannedSpan {
  traceId: string;
  spanId: string;
  /** "" for the root span (MLflow writes an empty parent id, not NULL). */
  parentSpanId: string;
  /** NULL name: the malformed trace of a table (a span MLflow would never write). */
  name: string | null;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, string>;
  events: { timeNs: bigint; name: string; attributes: Record<string, string> }[];
  status: { code: "STATUS_CODE_OK" | "STATUS_CODE_ERROR" | "STATUS_CODE_UNSET"; message: string };
}

/** One seeded MLflow trace: its info (what the trace views show) and its spans. */
export interface PlannedTrace {
  traceId: string;
  clientRequestId: string | null;
  endpoint: string;
  startMs: number;
  durationMs: number;
  state: "OK" | "ERROR";
  request: string;
  response: string;
  /** TOOL, RETRIEVER and CHAT_MODEL child spans: the tool-call records the trace becomes. */
  toolCalls: number;
  malformed: boolean;
  late: boolean;
  spans: PlannedSpan[];
}

const QUESTIONS = [
  "Which of our warehouses is over capacity?",
  "Summarise yesterday's support tickets.",
  "Find the contract clause about termination.",
  "What is the refund status of order ORD-88412?",
];

const TOOLS = [
  { name: "lookup_order", type: "TOOL", args: { order_id: "ORD-88412" }, result: { status: "refunded" } },
  {
    name: "vector_search",
    type: "RETRIEVER",
    args: { query: "termination clause" },
    result: [{ doc: "c-17" }],
  },
  { name: "run_sql", type: "TOOL", args: { statement: "SELECT 1" }, result: { rows: [[1]] } },
] as const;

/**
 * Plans `count` traces per agent endpoint (agent tasks only) with start times spread over
 * [now − windowMs, now). Children lie inside their root; one trace in nine fails (root ERROR with an
 * `exception` event); the last trace of the plan is malformed (a span without a name).
 */
export function planTraces(
  prng: Prng,
  agents: readonly AgentSpec[],
  count: number,
  time: { now: number; windowMs: number } | { fixed: number },
  options: { late: boolean; malformedLast: boolean },
): PlannedTrace[] {
  const traces: PlannedTrace[] = [];
  const endpoints = agents.filter((a) => a.task.startsWith("agent/")).map((a) => a.endpoint);
  for (const endpoint of endpoints) {
    for (let i = 0; i < count; i++) {
      const startMs =
        "fixed" in time ? time.fixed + i : time.now - 1 - Math.floor(prng.next() * (time.windowMs - 1));
      traces.push(planTrace(prng, endpoint, startMs, i, options.late));
    }
  }
  const last = traces.at(-1);
  if (options.malformedLast && last) {
    last.malformed = true;
    const child = last.spans[1];
    if (child) child.name = null;
  }
  return traces;
}

function planTrace(
  prng: Prng,
  endpoint: string,
  startMs: number,
  index: number,
  late: boolean,
): PlannedTrace {
  const traceId = `tr-${prng.hex(32)}`;
  const durationMs = prng.int(200, 5000);
  const failed = index % 9 === 4;
  const question = prng.pick(QUESTIONS);
  const answer = failed ? "" : "Done: here is what I found.";
  const tools = Array.from({ length: index % 3 }, () => prng.pick(TOOLS));
  const start = BigInt(startMs) * 1_000_000n;
  const ns = (ms: number) => start + BigInt(ms) * 1_000_000n;
  const slot = Math.max(2, Math.floor(durationMs / (tools.length + 2)));
  const rootId = prng.hex(16);
  const requestBody = { input: [{ role: "user", content: question }] };
  const responseBody = {
    output: [{ type: "message", role: "assistant", content: [{ type: "output_text", text: answer }] }],
  };
  const span = (content: SpanContent, fromMs: number, toMs: number): PlannedSpan => ({
    traceId,
    spanId: prng.hex(16),
    parentSpanId: content.parent,
    name: content.name,
    startNs: ns(fromMs),
    endNs: ns(toMs),
    attributes: { "mlflow.traceRequestId": JSON.stringify(traceId), ...spanAttributes(content) },
    events: [],
    status: { code: "STATUS_CODE_OK", message: "" },
  });
  const root = {
    ...span(
      { name: endpoint, type: "AGENT", parent: "", inputs: requestBody, outputs: responseBody },
      0,
      durationMs,
    ),
    spanId: rootId,
  };
  const clientRequestId = index % 2 === 0 ? `client-${prng.hex(10)}` : null;
  if (clientRequestId) root.attributes["mlflow.clientRequestId"] = JSON.stringify(clientRequestId);
  const llm = span(chatModelSpan("ChatDatabricks", rootId, question, answer), 1, slot);
  llm.attributes["mlflow.chat.tokenUsage"] = JSON.stringify({
    input_tokens: prng.int(20, 400),
    output_tokens: prng.int(5, 200),
    total_tokens: 0,
  });
  const children = tools.map((t, i) =>
    span(
      { name: t.name, type: t.type, parent: rootId, inputs: t.args, outputs: t.result },
      slot * (i + 1),
      slot * (i + 1) + prng.int(1, slot - 1),
    ),
  );
  if (failed) {
    root.status = { code: "STATUS_CODE_ERROR", message: "RuntimeError: model endpoint timed out" };
    root.events.push({
      timeNs: root.endNs,
      name: "exception",
      attributes: exceptionAttributes("RuntimeError", "model endpoint timed out"),
    });
  }
  return {
    traceId,
    clientRequestId,
    endpoint,
    startMs,
    durationMs,
    state: failed ? "ERROR" : "OK",
    request: JSON.stringify(requestBody),
    response: JSON.stringify(responseBody),
    toolCalls: children.length + 1, // the tools and the one model call
    malformed: false,
    late,
    spans: [root, llm, ...children],
  };
}
