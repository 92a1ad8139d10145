import type { AgentExecution, AgentRef } from "@pipekit/agent-execution";
import type { Logger, SourceChunk } from "@pipekit/core";
import pLimit from "p-limit";
import type { DeliveredIds } from "../checkpoint/delivered-ids.js";
import { DatabricksApiError } from "../errors/errors.js";
import type { HttpTransport } from "../http/http-client.js";
import type { DatabricksRestClient } from "../http/rest-client.js";
import type { SourceMetrics } from "../metrics/source-metrics.js";
import { normaliseTraceInfo, spansOfTraceData } from "../normalise/normalise-trace-info.js";
import { asRecord, asString, parseTimestamp } from "../normalise/values.js";
import {
  type ChunkOutcomes,
  emitExecution,
  noteRowTime,
  type ReadCounters,
  type ReadWindow,
  type TableCycleStats,
  windowStart,
} from "./table-reader.js";

/** An MLflow experiment an agent endpoint traces into (its MLFLOW_EXPERIMENT_ID). */
export interface TracedExperiment {
  readonly experimentId: string;
  readonly agent: AgentRef;
}

export interface ExperimentReadContext {
  readonly rest: DatabricksRestClient;
  /** Fetches presigned trace-data links (no Authorization header: the link is the credential). */
  readonly http: HttpTransport;
  readonly workspace: string;
  readonly sourceName: string;
  readonly logger: Logger;
  readonly metrics: SourceMetrics;
  readonly signal: AbortSignal;
  /** Endpoints whose inference tables this cycle reads: their served requests are executions there. */
  readonly endpointsWithTables: ReadonlySet<string>;
}

/** MLflow caps search_traces at 500 per page (docs/databricks-surfaces.md). */
const PAGE_SIZE = 500;
/** Trace-data downloads in flight per page. */
const SPAN_FETCHES = 4;

/** The checkpoint key of an experiment's delivered trace ids (beside the tables' full names). */
export function experimentKey(experimentId: string): string {
  return `mlflow-experiment:${experimentId}`;
}

/**
 * Reads one experiment's traces over the cycle's window through MLflow's REST API, one chunk per
 * search page, with the same delivered-ids rule as a table: ids already sent are suppressed, late
 * traces inside the window are caught because the whole window is searched again.
 */
export async function* readExperimentTraces(
  ctx: ExperimentReadContext,
  experiment: TracedExperiment,
  window: ReadWindow,
  delivered: DeliveredIds,
  stats: TableCycleStats,
): AsyncGenerator<SourceChunk<AgentExecution>, void, undefined> {
  const key = experimentKey(experiment.experimentId);
  const attrs = { table: key };
  const counters: ReadCounters = { stats, metrics: ctx.metrics, attrs };
  const from = windowStart(ctx, key, window, delivered);
  delivered.prune(from);
  let readUntil = from;
  const checkpoint = (until = readUntil) => ({ key, position: delivered.position(until) });
  if (delivered.scannedUntil === null) yield { messages: [], checkpoint: checkpoint(from) };

  let pageToken: string | undefined;
  do {
    const page = await ctx.rest.post<{ traces?: Record<string, unknown>[]; next_page_token?: string }>(
      "/api/3.0/mlflow/traces/search",
      {
        locations: [
          { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experiment.experimentId } },
        ],
        filter: `trace.timestamp_ms >= ${from} AND trace.timestamp_ms <= ${window.to}`,
        max_results: PAGE_SIZE,
        order_by: ["timestamp_ms ASC"],
        ...(pageToken ? { page_token: pageToken } : {}),
      },
      ctx.signal,
    );
    const traces = page.traces ?? [];
    stats.rowsRead += traces.length;
    ctx.metrics.rowsRead.add(traces.length, attrs);
    const fresh = traces.filter((info) => {
      if (servedByTableEndpoint(info, ctx.endpointsWithTables)) {
        stats.coveredByTables++;
        return false;
      }
      const id = asString(info.trace_id);
      const time = parseTimestamp(info.request_time);
      if (id === undefined || time === undefined || !delivered.isDelivered(id, time)) return true;
      stats.duplicates++;
      ctx.metrics.duplicatesSuppressed.add(1, attrs);
      return false;
    });
    const limit = pLimit(SPAN_FETCHES);
    const spans = await Promise.all(fresh.map((info) => limit(() => spansOf(ctx, info))));
    const { messages, rejected }: ChunkOutcomes = { messages: [], rejected: [] };
    fresh.forEach((info, i) => {
      const id = asString(info.trace_id);
      const time = parseTimestamp(info.request_time);
      const meta = {
        source: ctx.sourceName,
        partition: key,
        eventTime: time,
        tableKind: "experiment-traces",
      };
      if (id !== undefined && time !== undefined) {
        noteRowTime(stats, delivered, time, ctx.metrics, attrs);
        if (time > readUntil) readUntil = time;
      }
      emitExecution({ messages, rejected }, counters, { value: info, id, meta }, () =>
        normaliseTraceInfo(info, spans[i], experiment.agent, { workspace: ctx.workspace, table: key }),
      );
      if (id !== undefined && time !== undefined) delivered.record(id, time);
    });
    pageToken = page.next_page_token || undefined;
    yield {
      messages,
      ...(rejected.length > 0 ? { rejected } : {}),
      ...(pageToken ? { partition: key } : { checkpoint: checkpoint(window.to) }),
    };
  } while (pageToken);
  ctx.metrics.tablesScanned.add(1, attrs);
}

/**
 * A trace MLflow logged from a serving endpoint names it in `mlflow.databricks.modelServingEndpointName`
 * (MLflow's mlflow_tags.py); when that endpoint's inference table is read too, the request is already
 * an execution from the table, so the trace is not sent again. Traces from elsewhere (notebooks,
 * Apps: the name is empty or absent) are read.
 */
export function servedByTableEndpoint(
  info: Record<string, unknown>,
  endpoints: ReadonlySet<string>,
): boolean {
  const metadata = asRecord(info.trace_metadata);
  const endpoint = asString(metadata?.["mlflow.databricks.modelServingEndpointName"]);
  return endpoint !== undefined && endpoint !== "" && endpoints.has(endpoint);
}

/**
 * A trace's spans: MLflow keeps them as a file in the experiment's artifact store; Databricks hands
 * out a presigned link for it (`credentials-for-data-download`). A trace whose data cannot be had
 * (not found, not yet written: MLflow's "No trace data") is still an execution, from its previews.
 */
async function spansOf(
  ctx: ExperimentReadContext,
  info: Record<string, unknown>,
): Promise<Record<string, unknown>[] | undefined> {
  const traceId = asString(info.trace_id);
  if (!traceId) return undefined;
  try {
    const credentials = await ctx.rest.get<{ credential_info?: { signed_uri?: string } }>(
      `/api/2.0/mlflow/traces/${encodeURIComponent(traceId)}/credentials-for-data-download`,
      {},
      ctx.signal,
    );
    const uri = credentials.credential_info?.signed_uri;
    if (!uri) return undefined;
    const res = await ctx.http.request({ method: "GET", url: uri, signal: ctx.signal });
    if (res.status >= 400) return undefined;
    return spansOfTraceData(JSON.parse(res.text) as unknown);
  } catch (error) {
    if (error instanceof DatabricksApiError && error.status === 404) return undefined;
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}
