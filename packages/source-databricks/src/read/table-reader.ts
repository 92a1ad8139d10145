import type { AgentExecution, AgentRef } from "@pipekit/agent-execution";
import { createMessage, type Logger, type Message, type MessageMeta, type SourceChunk } from "@pipekit/core";
import type { DeliveredIds } from "../checkpoint/delivered-ids.js";
import type { TableKind } from "../discovery/classify-table.js";
import type { AgentTable } from "../discovery/inventory.js";
import {
  DatabricksAccessDeniedError,
  DatabricksAuthError,
  DatabricksConnectionError,
  TableReadError,
} from "../errors/errors.js";
import { parseMissingPrivilege } from "../errors/permission-message.js";
import type { SourceMetrics } from "../metrics/source-metrics.js";
import { endpointOfUnit } from "../normalise/endpoint-of.js";
import { normaliseRow, RowParseError, type TraceRow } from "../normalise/normalise-row.js";
import { nanosToMs } from "../normalise/trace-spans.js";
import { asNumber, asString, parseTimestamp } from "../normalise/values.js";
import type { WarehouseSql } from "../sql/warehouse-sql.js";
import { buildTableQuery } from "./table-query.js";

export interface TableReadContext {
  readonly sql: WarehouseSql;
  readonly workspace: string;
  readonly sourceName: string;
  readonly chunkRows: number;
  readonly checkpointEveryRows: number;
  readonly logger: Logger;
  readonly metrics: SourceMetrics;
  readonly now: () => number;
}

/** What happened to one table in one cycle (for the cycle summary and tests). */
export interface TableCycleStats {
  readonly table: string;
  /** The surface the table is (its layout); undefined for a table skipped before classification. */
  readonly kind: TableKind | "experiment-traces" | undefined;
  /** Endpoints of the executions emitted (the agents seen this cycle). */
  readonly agents: Set<string>;
  rowsRead: number;
  emitted: number;
  duplicates: number;
  /** Experiment traces of requests an inference table read this cycle already holds (not sent). */
  coveredByTables: number;
  late: number;
  parseFailures: number;
  newestRequestTime: number | undefined;
  /** Set when the table was skipped: the reason, already safe to log. */
  error: string | undefined;
}

type RawRow = Record<string, unknown>;

/** Counts a new row's time: late (it landed after its window was read once), and the newest seen. */
export function noteRowTime(
  stats: TableCycleStats,
  delivered: DeliveredIds,
  time: number,
  metrics: SourceMetrics,
  attrs: { readonly table: string },
): void {
  if (delivered.isLate(time)) {
    stats.late++;
    metrics.lateRows.add(1, attrs);
  }
  if (stats.newestRequestTime === undefined || time > stats.newestRequestTime) stats.newestRequestTime = time;
}

/** The executions and the rejected units of one chunk. */
export interface ChunkOutcomes {
  readonly messages: Message<AgentExecution>[];
  readonly rejected: { message: Message<unknown>; error: Error }[];
}

/** Where a table's (or an experiment's) outcomes are counted; `attrs.table` is its partition key. */
export interface ReadCounters {
  readonly stats: TableCycleStats;
  readonly metrics: SourceMetrics;
  readonly attrs: { readonly table: string };
}

/**
 * Normalises one unit read (a row, a trace) into an execution message; a unit that does not
 * normalise is rejected with its reason as a RowParseError, so it is dead-lettered, not lost.
 */
export function emitExecution(
  out: ChunkOutcomes,
  counters: ReadCounters,
  unit: { readonly value: unknown; readonly id: string | undefined; readonly meta: MessageMeta },
  normalise: () => AgentExecution,
): void {
  const { stats, metrics, attrs } = counters;
  try {
    const execution = normalise();
    out.messages.push(createMessage(execution.requestId, execution, unit.meta, approximateSize(execution)));
    stats.emitted++;
    stats.agents.add(execution.agent.endpoint);
    metrics.executionsEmitted.add(1, attrs);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    out.rejected.push({
      message: createMessage(unit.id ?? `${attrs.table}#unidentified`, unit.value, unit.meta),
      error: error instanceof RowParseError ? error : new RowParseError(reason, unit.id),
    });
    stats.parseFailures++;
    metrics.parseFailures.add(1, attrs);
  }
}

/** The cycle's window: `[from, to]`, and how far back an unfinished earlier window may reach. */
export interface ReadWindow {
  readonly from: number;
  readonly to: number;
  /** Oldest request time ever read (now − maxBacklogMinutes). */
  readonly oldest: number;
}

/**
 * Reads one table's window and yields one SourceChunk per fetched chunk. Rows the delivered ids
 * already hold are suppressed; new ones are normalised (unparseable ones become `rejected`). A
 * checkpoint is attached every `checkpointEveryRows` rows and on a final (possibly empty) chunk.
 * When an earlier window was never finished (the sinks were down for longer than the look-back,
 * a `-once` deadline stopped it), the read starts where the committed state ends, up to
 * `window.oldest`, so nothing falls between two windows.
 * A table that fails with an SQL error is reported and ends early; auth/connection failures end the
 * whole cycle (every other table would fail the same way).
 */
export async function* readTable(
  ctx: TableReadContext,
  table: AgentTable,
  window: ReadWindow,
  delivered: DeliveredIds,
  stats: TableCycleStats,
): AsyncGenerator<SourceChunk<AgentExecution>, void, undefined> {
  const attrs = { table: table.fullName };
  const counters: ReadCounters = { stats, metrics: ctx.metrics, attrs };
  const from = windowStart(ctx, table.fullName, window, delivered);
  delivered.prune(from);
  const query = buildTableQuery(table, from, window.to);
  let sinceCheckpoint = 0;
  let pendingTrace: TraceRow | undefined;
  /** Newest request time handled: how far the window has been read, for intermediate positions. */
  let readUntil = from;
  const checkpoint = (scannedUntil = readUntil) => ({
    key: table.fullName,
    position: delivered.position(scannedUntil),
  });

  const process = (rows: readonly RawRow[]): SourceChunk<AgentExecution> => {
    const { messages, rejected }: ChunkOutcomes = { messages: [], rejected: [] };
    stats.rowsRead += rows.length;
    ctx.metrics.rowsRead.add(rows.length, attrs);
    const units = table.kind === "trace" ? groupTraces(rows) : rows;
    for (const unit of units) handle(unit, { messages, rejected });
    sinceCheckpoint += rows.length;
    const withCheckpoint = sinceCheckpoint >= ctx.checkpointEveryRows;
    if (withCheckpoint) sinceCheckpoint = 0;
    return {
      messages,
      ...(rejected.length > 0 ? { rejected } : {}),
      ...(withCheckpoint ? { checkpoint: checkpoint() } : { partition: table.fullName }),
    };
  };

  /** Trace rows arrive as spans ordered by trace: the last trace of a chunk may go on in the next. */
  const groupTraces = (rows: readonly RawRow[]): TraceRow[] => {
    const out: TraceRow[] = [];
    let current = pendingTrace;
    for (const row of rows) {
      const traceId = asString(row.trace_id) ?? "";
      if (!current || current.trace_id !== traceId) {
        if (current) out.push(current);
        current = { trace_id: traceId, spans: [] };
      }
      (current.spans as RawRow[]).push(row);
    }
    pendingTrace = current;
    return out;
  };

  const handle = (unit: RawRow | TraceRow, out: ChunkOutcomes): void => {
    const { id, time } = identify(unit, table);
    const meta = {
      source: ctx.sourceName,
      partition: table.fullName,
      eventTime: time,
      tableKind: table.kind,
    };
    if (id !== undefined && time !== undefined) {
      if (delivered.isDelivered(id, time)) {
        stats.duplicates++;
        ctx.metrics.duplicatesSuppressed.add(1, attrs);
        return;
      }
      noteRowTime(stats, delivered, time, ctx.metrics, attrs);
      if (time > readUntil) readUntil = time;
    }
    emitExecution(out, counters, { value: unit, id, meta }, () =>
      normaliseRow(unit, table.kind, agentFor(unit, table), {
        workspace: ctx.workspace,
        table: table.fullName,
      }),
    );
    // Dead-lettered rows count as delivered: they are reported once, not every cycle.
    if (id !== undefined && time !== undefined) delivered.record(id, time);
  };

  // A table read for the first time records where its first window starts, before any row: should
  // the sinks stay down past the look-back, the next read still starts there (see docs/checkpoints.md).
  if (delivered.scannedUntil === null) yield { messages: [], checkpoint: checkpoint(from) };
  try {
    for (let rereads = 0; ; rereads++) {
      try {
        for await (const rows of ctx.sql.query(query.sql, query.params, ctx.chunkRows)) {
          yield process(rows);
        }
        break;
      } catch (error) {
        // A fetch cannot be repeated (the server's cursor may have moved), but the whole query can:
        // rows already emitted this cycle are in the delivered set and come back as suppressed
        // duplicates, so the table is finished in this cycle instead of waiting for the next.
        if (!(error instanceof DatabricksConnectionError) || rereads >= MAX_REREADS) throw error;
        pendingTrace = undefined; // its spans were not handled yet: they are read again
        ctx.logger.warn(
          { table: table.fullName, rowsRead: stats.rowsRead, err: error },
          "warehouse failed mid-table; reading the table's window again (emitted rows are suppressed)",
        );
      }
    }
    const { messages, rejected }: ChunkOutcomes = { messages: [], rejected: [] };
    if (pendingTrace) handle(pendingTrace, { messages, rejected });
    pendingTrace = undefined;
    yield { messages, ...(rejected.length > 0 ? { rejected } : {}), checkpoint: checkpoint(window.to) };
    ctx.metrics.tablesScanned.add(1, attrs);
    if (stats.newestRequestTime !== undefined) {
      ctx.metrics.tableLag.record((ctx.now() - stats.newestRequestTime) / 1000, attrs);
    }
    ctx.metrics.deliveredStateBytes.record(delivered.stats.bytes, attrs);
  } catch (error) {
    if (error instanceof DatabricksAuthError || error instanceof DatabricksConnectionError) throw error;
    const skipped = tableError(table.fullName, error);
    stats.error = skipped.message;
    ctx.metrics.tableFailures.add(1, attrs);
    ctx.logger.error({ table: table.fullName, err: skipped, hint: skipped.hint }, "table skipped this cycle");
    // What was yielded before the failure may still be committed once acknowledged.
    if (stats.rowsRead > 0) yield { messages: [], checkpoint: checkpoint() };
  }
}

/**
 * Where this table's read starts: the look-back window, or earlier when the committed state ends
 * before it (an unfinished window), but never before `window.oldest` nor below the floor.
 */
export function windowStart(
  ctx: Pick<TableReadContext, "logger">,
  table: string,
  window: ReadWindow,
  delivered: DeliveredIds,
): number {
  const committed = delivered.scannedUntil;
  let from = window.from;
  if (committed !== null && committed < window.from) {
    from = Math.max(committed, window.oldest);
    if (committed < window.oldest) {
      ctx.logger.warn(
        {
          table,
          committedUntil: new Date(committed).toISOString(),
          oldest: new Date(window.oldest).toISOString(),
        },
        "rows older than maxBacklogMinutes were never delivered and are skipped; raise maxBacklogMinutes to keep a longer backlog",
      );
    } else {
      ctx.logger.info(
        { table, from: new Date(from).toISOString() },
        "an earlier window was not finished: reading from where the committed state ends",
      );
    }
  }
  return Math.max(from, delivered.floor ?? Number.NEGATIVE_INFINITY);
}

/** Re-reads of one table's window after the warehouse failed mid-result-set, per cycle. */
const MAX_REREADS = 2;

/** Where a row of each row-per-execution table kind keeps its id and its request time. */
const ROW_IDENTITY: Record<
  Exclude<AgentTable["kind"], "trace">,
  { id: string; time: string; parseTime: (value: unknown) => number | undefined }
> = {
  "ai-gateway": { id: "databricks_request_id", time: "request_time", parseTime: parseTimestamp },
  "ai-gateway-beta": { id: "invocation_id", time: "event_time", parseTime: parseTimestamp },
  "trace-view": { id: "trace_id", time: "request_time", parseTime: parseTimestamp },
  // Epoch milliseconds, not a timestamp.
  legacy: { id: "databricks_request_id", time: "timestamp_ms", parseTime: asNumber },
};

function identify(unit: RawRow | TraceRow, table: AgentTable): { id?: string; time?: number } {
  if (table.kind === "trace") {
    const trace = unit as TraceRow;
    return { id: trace.trace_id || undefined, time: nanosToMs(trace.spans[0]?.trace_start_unix_nano) };
  }
  const row = unit as RawRow;
  const columns = ROW_IDENTITY[table.kind];
  return { id: asString(row[columns.id]), time: columns.parseTime(row[columns.time]) };
}

function agentFor(unit: RawRow | TraceRow, table: AgentTable): AgentRef {
  const served = asString((unit as RawRow).served_entity_id);
  const byServed = served ? table.servedEntities.get(served) : undefined;
  if (byServed) return byServed;
  // Tables shared by many agents (trace tables, AI Gateway Beta) name the endpoint in each row.
  const endpoint = endpointOfUnit(unit);
  if (endpoint) return table.agentsByEndpoint?.get(endpoint) ?? { endpoint };
  return table.agent;
}

function tableError(table: string, error: unknown): TableReadError | DatabricksAccessDeniedError {
  const message = error instanceof Error ? error.message : String(error);
  const privilege = parseMissingPrivilege(message);
  if (privilege) {
    return new DatabricksAccessDeniedError(privilege.privilege, privilege.securable, privilege.name, {
      cause: error,
    });
  }
  return new TableReadError(table, message, { cause: error });
}

/** Raw bodies dominate an execution's size; counting them is close enough for byte budgets. */
export function approximateSize(e: AgentExecution): number {
  let size = 512 + e.rawRequest.length + e.rawResponse.length;
  for (const m of e.input) size += m.content.length;
  for (const m of e.output) size += m.content.length;
  for (const t of e.toolCalls) size += t.arguments.length + (t.result?.length ?? 0);
  return size;
}
