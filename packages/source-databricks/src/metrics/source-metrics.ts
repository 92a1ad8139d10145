import type { Counter, Gauge, Histogram, Meter } from "@opentelemetry/api";

/** The source's own counters, beside the engine's generic received/sent ones. */
export class SourceMetrics {
  readonly tablesScanned: Counter;
  readonly tableFailures: Counter;
  readonly rowsRead: Counter;
  readonly executionsEmitted: Counter;
  readonly lateRows: Counter;
  readonly duplicatesSuppressed: Counter;
  readonly parseFailures: Counter;
  readonly tableLag: Histogram;
  readonly restRetries: Counter;
  readonly deliveredStateBytes: Gauge;
  readonly stateFloorRaised: Counter;

  constructor(meter: Meter) {
    this.tablesScanned = meter.createCounter("databricks_source_tables_scanned_total", {
      description: "Tables whose window was read to the end",
    });
    this.tableFailures = meter.createCounter("databricks_source_table_failures_total", {
      description: "Tables skipped in a cycle because they could not be read",
    });
    this.rowsRead = meter.createCounter("databricks_source_rows_read_total", {
      description: "Rows fetched from inference and trace tables",
    });
    this.executionsEmitted = meter.createCounter("databricks_source_executions_emitted_total", {
      description: "Agent executions emitted (new rows only)",
    });
    this.lateRows = meter.createCounter("databricks_source_late_rows_total", {
      description: "Rows caught that landed after their window had been read once",
    });
    this.duplicatesSuppressed = meter.createCounter("databricks_source_duplicates_suppressed_total", {
      description: "Rows not emitted because an earlier cycle delivered them",
    });
    this.parseFailures = meter.createCounter("databricks_source_parse_failures_total", {
      description: "Rows sent to the dead-letter path because they could not be parsed",
    });
    this.tableLag = meter.createHistogram("databricks_source_table_lag_seconds", {
      description: "Now minus the newest request time seen in a table's window",
      unit: "s",
    });
    this.restRetries = meter.createCounter("databricks_source_rest_retries_total", {
      description: "REST calls retried after 429/503/network errors",
    });
    this.deliveredStateBytes = meter.createGauge("databricks_source_delivered_state_bytes", {
      description: "Memory of a table's delivered-id state (bounded by maxDeliveredStateBytesPerTable)",
      unit: "By",
    });
    this.stateFloorRaised = meter.createCounter("databricks_source_state_floor_raised_total", {
      description:
        "Times the byte bound made a table's state drop its oldest ids (late rows below the floor are not caught)",
    });
  }
}
