import type { ColumnSpec } from "../catalog/metastore.js";

/** AI Gateway inference table `{prefix}_payload` columns, exactly as Databricks creates them. */
export const AI_GATEWAY_PAYLOAD_COLUMNS: readonly ColumnSpec[] = [
  { name: "databricks_request_id", type: "string" },
  { name: "client_request_id", type: "string" },
  { name: "request_date", type: "date" },
  { name: "request_time", type: "timestamp" },
  { name: "status_code", type: "int" },
  { name: "sampling_fraction", type: "double" },
  { name: "execution_duration_ms", type: "bigint" },
  { name: "request", type: "string" },
  { name: "response", type: "string" },
  { name: "logging_error_codes", type: "array<string>" },
  { name: "served_entity_id", type: "string" },
  { name: "requester", type: "string" },
];

/**
 * AI Gateway (Beta) inference table columns: the newer layout (event_time, invocation_id,
 * latency_ms…). Databricks' page lists them; the exact set here is the emulator's reading of it
 * (see docs/databricks-surfaces.md for what is confirmed).
 */
export const AI_GATEWAY_BETA_COLUMNS: readonly ColumnSpec[] = [
  { name: "event_time", type: "timestamp" },
  { name: "event_date", type: "date" },
  { name: "invocation_id", type: "string" },
  { name: "endpoint_name", type: "string" },
  { name: "served_entity_name", type: "string" },
  { name: "status_code", type: "int" },
  { name: "latency_ms", type: "bigint" },
  { name: "request", type: "string" },
  { name: "response", type: "string" },
  { name: "logging_error_codes", type: "array<string>" },
  { name: "requester", type: "string" },
];

/** Legacy auto-capture payload table columns. */
export const LEGACY_PAYLOAD_COLUMNS: readonly ColumnSpec[] = [
  { name: "client_request_id", type: "string" },
  { name: "databricks_request_id", type: "string" },
  { name: "date", type: "date" },
  { name: "timestamp_ms", type: "bigint" },
  { name: "status_code", type: "int" },
  { name: "execution_time_ms", type: "bigint" },
  { name: "request", type: "string" },
  { name: "response", type: "string" },
  { name: "sampling_fraction", type: "double" },
  { name: "request_metadata", type: "map<string,string>" },
];

export const ORDERS_COLUMNS: readonly ColumnSpec[] = [
  { name: "order_id", type: "bigint" },
  { name: "customer_email", type: "string" },
  { name: "amount", type: "double" },
  { name: "status", type: "string" },
  { name: "created_at", type: "timestamp" },
];

export const PAGE_VIEWS_COLUMNS: readonly ColumnSpec[] = [
  { name: "url", type: "string" },
  { name: "viewed_at", type: "timestamp" },
];

/** The restricted finance catalog's one table. */
export const LEDGER_COLUMNS: readonly ColumnSpec[] = [
  { name: "entry_id", type: "bigint" },
  { name: "amount", type: "double" },
];

/** The deprecated agent request-log table (not populated since Dec 2025). */
export const REQUEST_LOGS_COLUMNS: readonly ColumnSpec[] = [
  { name: "databricks_request_id", type: "string" },
  { name: "timestamp", type: "timestamp" },
  { name: "request", type: "string" },
  { name: "response", type: "string" },
  { name: "trace", type: "string" },
];
