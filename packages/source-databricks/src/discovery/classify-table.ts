/** How executions are recorded in a table, told apart by its columns (names can be anything). */
export type TableKind = "ai-gateway" | "legacy" | "trace";

const REQUIRED: Record<TableKind, readonly string[]> = {
  // AI Gateway inference table ({prefix}_payload).
  "ai-gateway": ["databricks_request_id", "request_time", "status_code", "request", "response"],
  // Legacy auto-capture payload table.
  legacy: ["databricks_request_id", "timestamp_ms", "status_code", "request", "response"],
  // MLflow traces stored as OTel spans in Unity Catalog ({prefix}_otel_spans).
  trace: ["trace_id", "span_id", "parent_span_id", "name", "start_time_unix_nano", "end_time_unix_nano"],
};

/** The kind whose required columns are all present, or undefined when the table is something else. */
export function classifyTable(columnNames: Iterable<string>): TableKind | undefined {
  const have = new Set([...columnNames].map((c) => c.toLowerCase()));
  for (const kind of ["ai-gateway", "legacy", "trace"] as const) {
    if (REQUIRED[kind].every((c) => have.has(c))) return kind;
  }
  return undefined;
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
  legacy: ["client_request_id", "execution_time_ms", "request_metadata"],
  trace: ["kind", "attributes", "events", "status", "trace_state"],
};

export function requiredColumns(kind: TableKind): readonly string[] {
  return REQUIRED[kind];
}
