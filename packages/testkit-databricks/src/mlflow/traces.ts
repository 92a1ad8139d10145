import { createHash } from "node:crypto";
import { badRequest, notFound } from "../http/api-error.js";
import { paginate } from "../http/pagination.js";
import { json, type Router } from "../http/router.js";
import type { AgentSpec } from "../seed/agents.js";
import { Prng } from "../seed/prng.js";
import { TRACE_DATA_PATH, traceData } from "./trace-data.js";

/** MLflow 3 TraceInfoV3 as the REST API returns it. */
export interface TraceInfoV3 {
  trace_id: string;
  client_request_id: string;
  trace_location: { type: "MLFLOW_EXPERIMENT"; mlflow_experiment: { experiment_id: string } };
  request_preview: string;
  response_preview: string;
  request_time: string;
  execution_duration: string;
  state: "OK" | "ERROR" | "IN_PROGRESS";
  trace_metadata: Record<string, string>;
  tags: Record<string, string>;
}

/** Seeded MLflow traces for agent endpoints (LLM endpoints have none). */
export function seedTraces(
  seed: number,
  agents: readonly AgentSpec[],
  perAgent: number,
  now: number,
  windowMinutes: number,
): TraceInfoV3[] {
  const traces: TraceInfoV3[] = [];
  for (const agent of agents) {
    if (agent.task === "llm/v1/chat") continue;
    const prng = new Prng(seed).fork(`traces:${agent.endpoint}`);
    for (let i = 0; i < perAgent; i++) {
      const time = now - 1 - Math.floor(prng.next() * (windowMinutes * 60_000 - 1));
      traces.push(traceInfo(prng, agent, time, i, i === perAgent - 1 && perAgent >= 5));
    }
  }
  return traces.sort((a, b) => Date.parse(b.request_time) - Date.parse(a.request_time));
}

/** Traces that start `minutesAgo` before `now` but are logged only now (late arrivals). */
export function lateTraces(
  seed: number,
  agent: AgentSpec,
  count: number,
  startMs: number,
  salt: string,
): TraceInfoV3[] {
  const prng = new Prng(seed).fork(`late-traces:${agent.endpoint}:${salt}`);
  return Array.from({ length: count }, (_, i) => traceInfo(prng, agent, startMs + i, i, false));
}

function traceInfo(prng: Prng, agent: AgentSpec, time: number, i: number, malformed: boolean): TraceInfoV3 {
  const failed = i % 9 === 4;
  return {
    trace_id: `tr-${prng.hex(32)}`,
    // The data of a "-malformed" trace has a span without a name (see trace-data.ts).
    client_request_id: `client-${prng.hex(10)}${malformed ? "-malformed" : ""}`,
    trace_location: {
      type: "MLFLOW_EXPERIMENT",
      mlflow_experiment: { experiment_id: agent.experimentId },
    },
    request_preview: JSON.stringify({ messages: [{ role: "user", content: "Where is my order?" }] }),
    response_preview: failed
      ? ""
      : JSON.stringify({ messages: [{ role: "assistant", content: "It has shipped." }] }),
    request_time: new Date(time).toISOString(),
    execution_duration: `${(prng.int(100, 5000) / 1000).toFixed(3)}s`,
    state: failed ? "ERROR" : "OK",
    trace_metadata: {
      "mlflow.trace_schema.version": "3",
      "mlflow.modelId": `m-${prng.hex(16)}`,
      "mlflow.trace.user": "alice@example.com",
    },
    tags: { "mlflow.traceName": agent.endpoint, "mlflow.endpoint": agent.endpoint },
  };
}

interface SearchBody {
  locations?: { type?: string; mlflow_experiment?: { experiment_id?: string } }[];
  filter?: string;
  max_results?: number;
  order_by?: string[];
  page_token?: string;
}

export function registerTraceRoutes(
  router: Router,
  traces: () => readonly TraceInfoV3[],
  pageSize: number,
  baseUrl: () => string = () => "",
): void {
  router.add({
    method: "POST",
    pattern: "/api/3.0/mlflow/traces/search",
    handler: (ctx) => {
      let body: SearchBody;
      try {
        body = ctx.body.length > 0 ? (JSON.parse(ctx.body.toString("utf8")) as SearchBody) : {};
      } catch {
        throw badRequest("Request body is not valid JSON.", "MALFORMED_REQUEST");
      }
      const experiments = new Set(
        (body.locations ?? [])
          .map((l) => l.mlflow_experiment?.experiment_id)
          .filter((x): x is string => Boolean(x)),
      );
      if (experiments.size === 0) throw badRequest("At least one trace location must be specified.");
      const maxResults = body.max_results ?? 100;
      if (maxResults > 500) throw badRequest(`max_results must be at most 500, got ${maxResults}.`);
      const predicate = parseFilter(body.filter);
      let list = traces().filter(
        (t) => experiments.has(t.trace_location.mlflow_experiment.experiment_id) && predicate(t),
      );
      const ascending = (body.order_by ?? []).some((o) => /\bASC\b/i.test(o));
      if (ascending) list = [...list].reverse();
      const query = new URLSearchParams({ max_results: String(maxResults) });
      if (body.page_token) query.set("page_token", body.page_token);
      const { page, nextPageToken } = paginate(list, query, { pageSize, emptyPageBeforeLast: false });
      return json({ traces: page, ...(nextPageToken ? { next_page_token: nextPageToken } : {}) });
    },
  });
  // Span data lives in the experiment's artifact store: Databricks hands out a presigned link.
  router.add({
    method: "GET",
    pattern: "/api/2.0/mlflow/traces/:traceId/credentials-for-data-download",
    handler: (ctx) => {
      const trace = traces().find((t) => t.trace_id === ctx.params.traceId);
      if (!trace) throw notFound("RESOURCE_DOES_NOT_EXIST", `Trace with ID ${ctx.params.traceId} not found.`);
      const signature = createHash("sha256")
        .update(`trace-data:${trace.trace_id}`)
        .digest("hex")
        .slice(0, 32);
      return json({
        credential_info: {
          type: "AWS_PRESIGNED_URL",
          signed_uri: `${baseUrl()}${TRACE_DATA_PATH}/${encodeURIComponent(trace.trace_id)}/traces.json?X-Amz-Signature=${signature}`,
        },
      });
    },
  });
  router.add({
    method: "GET",
    pattern: `${TRACE_DATA_PATH}/:traceId/traces.json`,
    public: true,
    handler: (ctx) => {
      const trace = traces().find((t) => t.trace_id === ctx.params.traceId);
      if (!trace) throw notFound("RESOURCE_DOES_NOT_EXIST", "The specified key does not exist.");
      return json(traceData(trace));
    },
  });
  router.add({
    method: "GET",
    pattern: "/api/3.0/mlflow/traces/:traceId",
    handler: (ctx) => {
      const trace = traces().find((t) => t.trace_id === ctx.params.traceId);
      if (!trace) throw notFound("RESOURCE_DOES_NOT_EXIST", `Trace with ID ${ctx.params.traceId} not found.`);
      return json({ trace: { trace_info: trace } });
    },
  });
}

/** Supports the filters the connector uses: `timestamp_ms >|>=|<|<= N` and `state = 'X'`, ANDed. */
function parseFilter(filter: string | undefined): (t: TraceInfoV3) => boolean {
  if (!filter?.trim()) return () => true;
  const clauses = filter.split(/\s+AND\s+/i).map((clause) => {
    const ts =
      /^\s*(?:(?:trace|attributes)\.)?(?:timestamp_ms|timestamp|request_time)\s*(>=|<=|>|<|=)\s*(\d+)\s*$/i.exec(
        clause,
      );
    if (ts) {
      const op = ts[1] as string;
      const value = Number(ts[2]);
      return (t: TraceInfoV3) => compare(Date.parse(t.request_time), op, value);
    }
    const state = /^\s*(?:(?:trace|attributes)\.)?(?:state|status)\s*=\s*'(\w+)'\s*$/i.exec(clause);
    if (state) return (t: TraceInfoV3) => t.state === state[1];
    throw badRequest(`Invalid filter clause: ${clause.trim()}`);
  });
  return (t) => clauses.every((c) => c(t));
}

function compare(a: number, op: string, b: number): boolean {
  switch (op) {
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    default:
      return a === b;
  }
}
