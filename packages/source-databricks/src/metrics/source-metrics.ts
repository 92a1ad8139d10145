import type { Meter } from "@opentelemetry/api";
import { createInstruments, type InstrumentSpec, type Instruments } from "@pipekit/core/advanced";

/** The source's own instruments, beside the engine's generic received/sent ones. */
const sourceInstruments = {
  tablesScanned: {
    kind: "counter",
    name: "databricks_source_tables_scanned_total",
    description: "Tables whose window was read to the end",
  },
  tableFailures: {
    kind: "counter",
    name: "databricks_source_table_failures_total",
    description: "Tables skipped in a cycle because they could not be read",
  },
  rowsRead: {
    kind: "counter",
    name: "databricks_source_rows_read_total",
    description: "Rows fetched from inference and trace tables",
  },
  executionsEmitted: {
    kind: "counter",
    name: "databricks_source_executions_emitted_total",
    description: "Agent executions emitted (new rows only)",
  },
  lateRows: {
    kind: "counter",
    name: "databricks_source_late_rows_total",
    description: "Rows caught that landed after their window had been read once",
  },
  duplicatesSuppressed: {
    kind: "counter",
    name: "databricks_source_duplicates_suppressed_total",
    description: "Rows not emitted because an earlier cycle delivered them",
  },
  parseFailures: {
    kind: "counter",
    name: "databricks_source_parse_failures_total",
    description: "Rows sent to the dead-letter path because they could not be parsed",
  },
  tableLag: {
    kind: "histogram",
    name: "databricks_source_table_lag_seconds",
    description: "Now minus the newest request time seen in a table's window",
    unit: "s",
  },
  restRetries: {
    kind: "counter",
    name: "databricks_source_rest_retries_total",
    description: "REST calls retried after 429/503/network errors",
  },
  deliveredStateBytes: {
    kind: "gauge",
    name: "databricks_source_delivered_state_bytes",
    description: "Memory of a table's delivered-id state (bounded by maxDeliveredStateBytesPerTable)",
    unit: "By",
  },
  stateFloorRaised: {
    kind: "counter",
    name: "databricks_source_state_floor_raised_total",
    description:
      "Times the byte bound made a table's state drop its oldest ids (late rows below the floor are not caught)",
  },
} satisfies Record<string, InstrumentSpec>;

/** The source's own counters, histogram and gauge, by what they count. */
export type SourceMetrics = Instruments<typeof sourceInstruments>;

export function createSourceMetrics(meter: Meter): SourceMetrics {
  return createInstruments(meter, sourceInstruments);
}
