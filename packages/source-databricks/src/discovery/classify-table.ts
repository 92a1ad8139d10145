/**
 * How executions are recorded in a table, told apart by its columns (names can be anything).
 * Sources for each layout: docs/databricks-surfaces.md.
 */
export type TableKind = "ai-gateway" | "ai-gateway-beta" | "legacy" | "trace" | "trace-view";

const REQUIRED: Record<TableKind, readonly string[]> = {
  // AI Gateway inference table ({prefix}_payload).
  "ai-gateway": ["databricks_request_id", "request_time", "status_code", "request", "response"],
  // AI Gateway (Beta) inference table: the newer layout (event_time, invocation_id, latency_ms…).
  "ai-gateway-beta": ["invocation_id", "event_time", "status_code", "request", "response"],
  // Legacy auto-capture payload table.
  legacy: ["databricks_request_id", "timestamp_ms", "status_code", "request", "response"],
  // MLflow traces stored as OTel spans in Unity Catalog (v1 fixed tables, v2 {prefix}_otel_spans).
  trace: ["trace_id", "span_id", "parent_span_id", "name", "start_time_unix_nano", "end_time_unix_nano"],
  // The v2 view {prefix}_trace_unified: one row per trace, its spans as an array.
  "trace-view": ["trace_id", "request_time", "state", "spans"],
};

/** Checked in this order: the first kind whose required columns are all present wins. */
const ORDER: readonly TableKind[] = ["trace-view", "ai-gateway", "ai-gateway-beta", "legacy", "trace"];

/** The kind whose required columns are all present, or undefined when the table is something else. */
export function classifyTable(columnNames: Iterable<string>): TableKind | undefined {
  const have = new Set([...columnNames].map((c) => c.toLowerCase()));
  for (const kind of ORDER) {
    if (REQUIRED[kind].every((c) => have.has(c))) return kind;
  }
  return undefined;
}

/**
 * Tables Databricks and MLflow create beside the execution tables that hold no executions: trace
 * logs/metrics/annotations, the trace metadata view, deprecated agent request/assessment logs.
 * Known, so they are not reported as tables of an unknown layout.
 */
const AUXILIARY_NAME =
  /(_otel_logs|_otel_metrics|_otel_annotations|_trace_metadata|_payload_request_logs|_payload_assessment_logs)$/;

export function isAuxiliaryTable(name: string): boolean {
  return AUXILIARY_NAME.test(name.toLowerCase());
}

/** Optional columns read when present (older tables lack some). */
export const OPTIONAL_COLUMNS: Record<TableKind, readonly string[]> = {
  "ai-gateway": [
    "client_request_id",
    "execution_duration_ms",
    "logging_error_codes",
    "served_entity_id",
    "requester",
  ],
  "ai-gateway-beta": [
    "latency_ms",
    "logging_error_codes",
    "endpoint_name",
    "served_entity_name",
    "requester",
    "client_request_id",
  ],
  legacy: ["client_request_id", "execution_time_ms", "request_metadata"],
  trace: ["kind", "attributes", "events", "status", "trace_state", "service_name", "resource"],
  "trace-view": [
    "client_request_id",
    "execution_duration_ms",
    "request",
    "response",
    "trace_metadata",
    "tags",
  ],
};

export function requiredColumns(kind: TableKind): readonly string[] {
  return REQUIRED[kind];
}
