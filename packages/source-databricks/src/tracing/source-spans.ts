import { type Attributes, type Span, SpanStatusCode, type Tracer } from "@opentelemetry/api";
import type { AgentTable } from "../discovery/inventory.js";
import type { TableCycleStats } from "../read/table-reader.js";

/** ERROR status and OTel's exception event; source errors are already safe to log (no secrets). */
export function spanFailed(span: Span, error: unknown): void {
  const e = error instanceof Error ? error : new Error(String(error));
  span.recordException({ name: e.name, message: e.message });
  span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
}

/** Discovery of serving endpoints and Unity Catalog tables, as one span of the cycle's trace. */
export async function tracedDiscovery<T>(
  tracer: Tracer,
  workspace: string,
  discover: () => Promise<T>,
  describe: (found: T) => Attributes,
): Promise<T> {
  // The engine's tracer parents it to the cycle's span.
  const span = tracer.startSpan("databricks discovery", {
    attributes: { "databricks.workspace": workspace },
  });
  try {
    const found = await discover();
    span.setAttributes(describe(found));
    return found;
  } catch (error) {
    spanFailed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** The span of one table's read in one cycle: opened before its query, ended with its counts. */
export function startTableSpan(tracer: Tracer, table: AgentTable): Span {
  return tracer.startSpan("databricks read table", {
    attributes: { "databricks.table": table.fullName, "databricks.table.kind": table.kind },
  });
}

export function endTableSpan(span: Span, stats: TableCycleStats): void {
  span.setAttributes({
    "databricks.rows_read": stats.rowsRead,
    "databricks.executions_emitted": stats.emitted,
    "databricks.duplicates_suppressed": stats.duplicates,
    "databricks.late_rows": stats.late,
    "databricks.parse_failures": stats.parseFailures,
  });
  if (stats.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: stats.error });
  span.end();
}
