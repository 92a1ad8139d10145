import { OPTIONAL_COLUMNS, requiredColumns, type TableKind } from "../discovery/classify-table.js";
import type { AgentTable } from "../discovery/inventory.js";
import { quoteIdentifier, quoteTableName } from "../sql/identifiers.js";
import type { SqlParam } from "../sql/warehouse-sql.js";

const NANOS = new Set(["start_time_unix_nano", "end_time_unix_nano"]);

export interface TableQuery {
  readonly sql: string;
  readonly params: Record<string, SqlParam>;
}

/** The columns read: required ones plus the optional ones this table has. */
export function selectedColumns(kind: TableKind, present: readonly string[]): string[] {
  const have = new Set(present.map((c) => c.toLowerCase()));
  return [...requiredColumns(kind), ...OPTIONAL_COLUMNS[kind].filter((c) => have.has(c))];
}

/**
 * The window query of one table: rows with start time in [from, to], ordered by time then id so
 * chunks are stable and a restart reads in the same order. Identifiers are validated and quoted;
 * the window bounds are bound parameters.
 */
export function buildTableQuery(table: AgentTable, fromMs: number, toMs: number): TableQuery {
  const target = quoteTableName(table.fullName);
  const cols = selectedColumns(table.kind, table.columns);
  switch (table.kind) {
    case "ai-gateway":
      return {
        sql:
          `SELECT ${cols.map((c) => quoteIdentifier(c)).join(", ")} FROM ${target} ` +
          "WHERE `request_time` >= :window_start AND `request_time` <= :window_end " +
          "ORDER BY `request_time`, `databricks_request_id`",
        params: { window_start: new Date(fromMs), window_end: new Date(toMs) },
      };
    case "ai-gateway-beta":
      return {
        sql:
          `SELECT ${cols.map((c) => quoteIdentifier(c)).join(", ")} FROM ${target} ` +
          "WHERE `event_time` >= :window_start AND `event_time` <= :window_end " +
          "ORDER BY `event_time`, `invocation_id`",
        params: { window_start: new Date(fromMs), window_end: new Date(toMs) },
      };
    case "trace-view":
      return {
        sql:
          `SELECT ${cols.map((c) => quoteIdentifier(c)).join(", ")} FROM ${target} ` +
          "WHERE `request_time` >= :window_start AND `request_time` <= :window_end " +
          "ORDER BY `request_time`, `trace_id`",
        params: { window_start: new Date(fromMs), window_end: new Date(toMs) },
      };
    case "legacy":
      return {
        sql:
          `SELECT ${cols.map((c) => quoteIdentifier(c)).join(", ")} FROM ${target} ` +
          "WHERE `timestamp_ms` >= :window_start AND `timestamp_ms` <= :window_end " +
          "ORDER BY `timestamp_ms`, `databricks_request_id`",
        params: { window_start: fromMs, window_end: toMs },
      };
    case "trace": {
      // A trace is in the window when its root span started in it; all its spans come along,
      // grouped by trace and ordered by the root's start so traces never interleave.
      // Nanosecond times exceed 2^53: the driver turns such BIGINTs of a column-based result into
      // Infinity, so they travel as decimal text (exact in every result format).
      const list = cols
        .map((c) =>
          NANOS.has(c)
            ? `CAST(s.${quoteIdentifier(c)} AS STRING) AS ${quoteIdentifier(c)}`
            : `s.${quoteIdentifier(c)}`,
        )
        .join(", ");
      return {
        sql:
          `SELECT ${list}, CAST(r.\`start_time_unix_nano\` AS STRING) AS \`trace_start_unix_nano\` FROM ${target} s ` +
          `JOIN (SELECT \`trace_id\`, \`start_time_unix_nano\` FROM ${target} ` +
          "WHERE (`parent_span_id` IS NULL OR `parent_span_id` = '') " +
          "AND `start_time_unix_nano` >= :window_start AND `start_time_unix_nano` <= :window_end) r " +
          "ON s.`trace_id` = r.`trace_id` " +
          "ORDER BY r.`start_time_unix_nano`, s.`trace_id`, s.`start_time_unix_nano`, s.`span_id`",
        params: { window_start: BigInt(fromMs) * 1_000_000n, window_end: BigInt(toMs) * 1_000_000n },
      };
    }
  }
}
