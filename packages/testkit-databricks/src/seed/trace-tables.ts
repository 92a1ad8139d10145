import type { DuckDBConnection } from "@duckdb/node-api";
import { toDuckDbType } from "../catalog/column-types.js";
import type { ColumnSpec } from "../catalog/metastore.js";
import type { PlannedSpan, PlannedTrace } from "./trace-plan.js";

/**
 * MLflow 3 traces stored in Unity Catalog (docs/databricks-surfaces.md has the sources).
 * v1 (beta): fixed tables `mlflow_experiment_trace_otel_spans` / `_otel_logs`, attributes MAP.
 * v2: `{prefix}_otel_spans` (table property otel.schemaVersion = v2, leading record_id, time, date,
 * service_name; attributes VARIANT) and `{prefix}_otel_annotations`, read through the views
 * `{prefix}_trace_unified` and `{prefix}_trace_metadata`.
 */
export const V1_SPANS_TABLE = "mlflow_experiment_trace_otel_spans";
export const V1_LOGS_TABLE = "mlflow_experiment_trace_otel_logs";
export const V2_PREFIX = "mlflow_traces";

const STATUS = "struct<message:string,code:string>";

function eventsType(attributes: string): string {
  return `array<struct<time_unix_nano:bigint,name:string,attributes:${attributes},dropped_attributes_count:int>>`;
}

const OTEL_SPAN_COLUMNS = (attributes: string): ColumnSpec[] => [
  { name: "trace_id", type: "string" },
  { name: "span_id", type: "string" },
  { name: "trace_state", type: "string" },
  { name: "parent_span_id", type: "string" },
  { name: "flags", type: "int" },
  { name: "name", type: "string" },
  { name: "kind", type: "string" },
  { name: "start_time_unix_nano", type: "bigint" },
  { name: "end_time_unix_nano", type: "bigint" },
  { name: "attributes", type: attributes },
  { name: "dropped_attributes_count", type: "int" },
  { name: "events", type: eventsType(attributes) },
  { name: "dropped_events_count", type: "int" },
  { name: "status", type: STATUS },
];

export const V1_SPAN_COLUMNS: readonly ColumnSpec[] = [
  ...OTEL_SPAN_COLUMNS("map<string,string>"),
  { name: "resource", type: "struct<attributes:map<string,string>,dropped_attributes_count:int>" },
];

export const V1_LOG_COLUMNS: readonly ColumnSpec[] = [
  { name: "time_unix_nano", type: "bigint" },
  { name: "trace_id", type: "string" },
  { name: "span_id", type: "string" },
  { name: "severity_text", type: "string" },
  { name: "body", type: "string" },
  { name: "attributes", type: "map<string,string>" },
];

export const V2_SPAN_COLUMNS: readonly ColumnSpec[] = [
  { name: "record_id", type: "string" },
  { name: "time", type: "timestamp" },
  { name: "date", type: "date" },
  { name: "service_name", type: "string" },
  ...OTEL_SPAN_COLUMNS("variant"),
];

export const V2_ANNOTATION_COLUMNS: readonly ColumnSpec[] = [
  { name: "record_id", type: "string" },
  { name: "time", type: "timestamp" },
  { name: "trace_id", type: "string" },
  { name: "span_id", type: "string" },
  { name: "name", type: "string" },
  { name: "value", type: "variant" },
];

/** The trace-level columns of the views (MLflow derives them from the spans and annotations). */
const TRACE_INFO_COLUMNS: readonly ColumnSpec[] = [
  { name: "trace_id", type: "string" },
  { name: "client_request_id", type: "string" },
  { name: "request_time", type: "timestamp" },
  { name: "state", type: "string" },
  { name: "execution_duration_ms", type: "bigint" },
  { name: "request", type: "string" },
  { name: "response", type: "string" },
  { name: "trace_metadata", type: "map<string,string>" },
  { name: "tags", type: "map<string,string>" },
];

const VIEW_SPAN =
  "struct<trace_id:string,span_id:string,parent_span_id:string,name:string,start_time_unix_nano:bigint,end_time_unix_nano:bigint,attributes:variant,events:array<struct<time_unix_nano:bigint,name:string,attributes:variant,dropped_attributes_count:int>>,status:struct<message:string,code:string>>";

export const TRACE_METADATA_VIEW_COLUMNS: readonly ColumnSpec[] = TRACE_INFO_COLUMNS.filter(
  (c) => c.name !== "request" && c.name !== "response",
);

export const TRACE_UNIFIED_VIEW_COLUMNS: readonly ColumnSpec[] = [
  ...TRACE_INFO_COLUMNS,
  { name: "spans", type: `array<${VIEW_SPAN}>` },
  { name: "assessments", type: "array<string>" },
];

/**
 * The views over a v2 prefix's span table (DuckDB SQL): trace info comes from the root span (empty
 * parent_span_id) — its start, duration, status, inputs/outputs — and the spans are aggregated.
 */
export function traceViewSql(target: (name: string) => string, prefix: string) {
  const spans = target(`${prefix}_otel_spans`);
  const attr = (key: string) => `json_extract_string(r.attributes, '$."${key}"')`;
  const info = `SELECT r.trace_id,
      json_extract_string(${attr("mlflow.clientRequestId")}, '$') AS client_request_id,
      epoch_ms(CAST(r.start_time_unix_nano / 1000000 AS BIGINT)) AS request_time,
      CASE WHEN r.status.code = 'STATUS_CODE_ERROR' THEN 'ERROR' ELSE 'OK' END AS state,
      CAST((r.end_time_unix_nano - r.start_time_unix_nano) / 1000000 AS BIGINT) AS execution_duration_ms,
      ${attr("mlflow.spanInputs")} AS request,
      ${attr("mlflow.spanOutputs")} AS response,
      MAP {'mlflow.trace_schema.version': '3', 'mlflow.databricks.modelServingEndpointName': r.service_name} AS trace_metadata,
      MAP {'mlflow.traceName': r.name} AS tags
    FROM ${spans} r WHERE r.parent_span_id = '' OR r.parent_span_id IS NULL`;
  return {
    metadata: `SELECT trace_id, client_request_id, request_time, state, execution_duration_ms, trace_metadata, tags FROM (${info})`,
    unified: `SELECT i.*, s.spans, CAST([] AS VARCHAR[]) AS assessments FROM (${info}) i
      JOIN (SELECT trace_id, list({'trace_id': trace_id, 'span_id': span_id, 'parent_span_id': parent_span_id,
        'name': name, 'start_time_unix_nano': start_time_unix_nano, 'end_time_unix_nano': end_time_unix_nano,
        'attributes': attributes, 'events': events, 'status': status} ORDER BY start_time_unix_nano, span_id) AS spans
        FROM ${spans} GROUP BY trace_id) s ON s.trace_id = i.trace_id`,
  };
}

/** Appends the traces' spans (and, for v2, their info) to the tables. */
export async function insertTraces(
  connection: DuckDBConnection,
  target: (name: string) => string,
  layout: "v1" | "v2",
  traces: readonly PlannedTrace[],
): Promise<void> {
  if (traces.length === 0) return;
  const spanRows: string[] = [];
  for (const t of traces) {
    for (const s of t.spans) spanRows.push(layout === "v1" ? v1SpanRow(t, s) : v2SpanRow(t, s));
  }
  const table = layout === "v1" ? V1_SPANS_TABLE : `${V2_PREFIX}_otel_spans`;
  await connection.run(`INSERT INTO ${target(table)} VALUES ${spanRows.join(",\n")}`);
}

function commonSpan(
  s: PlannedSpan,
  attributes: string,
  eventAttributes: (a: Record<string, string>) => string,
) {
  const events =
    s.events.length === 0
      ? `CAST([] AS ${toDuckDbType(eventsType(attributes === "map" ? "map<string,string>" : "variant"))})`
      : `[${s.events
          .map(
            (e) =>
              `{'time_unix_nano': ${e.timeNs}, 'name': ${str(e.name)}, 'attributes': ${eventAttributes(e.attributes)}, 'dropped_attributes_count': 0}`,
          )
          .join(", ")}]`;
  return [
    str(s.traceId),
    str(s.spanId),
    "''",
    str(s.parentSpanId),
    "0",
    s.name === null ? "NULL" : str(s.name),
    "'SPAN_KIND_INTERNAL'",
    String(s.startNs),
    String(s.endNs),
    attributes === "map" ? map(s.attributes) : str(JSON.stringify(s.attributes)),
    "0",
    events,
    "0",
    `{'message': ${str(s.status.message)}, 'code': ${str(s.status.code)}}`,
  ];
}

function v1SpanRow(t: PlannedTrace, s: PlannedSpan): string {
  const cols = commonSpan(s, "map", map);
  cols.push(`{'attributes': ${map({ "service.name": t.endpoint })}, 'dropped_attributes_count': 0}`);
  return `(${cols.join(", ")})`;
}

function v2SpanRow(t: PlannedTrace, s: PlannedSpan): string {
  const ms = s.startNs / 1_000_000n;
  const lead = [
    str(`${s.traceId}:${s.spanId}`),
    `epoch_ms(${ms})`,
    `CAST(epoch_ms(${ms}) AS DATE)`,
    str(t.endpoint),
  ];
  const cols = commonSpan(s, "variant", (a) => str(JSON.stringify(a)));
  return `(${[...lead, ...cols].join(", ")})`;
}

function str(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

function map(m: Record<string, string>): string {
  const entries = Object.entries(m);
  if (entries.length === 0) return "MAP {}";
  return `MAP {${entries.map(([k, v]) => `${str(k)}: ${str(v)}`).join(", ")}}`;
}
