import type { DuckDBConnection } from "@duckdb/node-api";
import { type Metastore, quote } from "../catalog/metastore.js";
import type { AgentSpec } from "./agents.js";
import type { SeededRow, SeededTable, SeedManifest, SeedSurface } from "./manifest.js";
import type { Prng } from "./prng.js";
import { type PlannedTrace, planTraces } from "./trace-plan.js";
import {
  insertTraces,
  TRACE_METADATA_VIEW_COLUMNS,
  TRACE_UNIFIED_VIEW_COLUMNS,
  traceViewSql,
  V1_LOG_COLUMNS,
  V1_LOGS_TABLE,
  V1_SPAN_COLUMNS,
  V1_SPANS_TABLE,
  V2_ANNOTATION_COLUMNS,
  V2_PREFIX,
  V2_SPAN_COLUMNS,
} from "./trace-tables.js";

interface TraceSeedOptions {
  catalog: string;
  schema: string;
  now: number;
  windowMinutes: number;
  tracesPerTable?: number;
  agents: readonly AgentSpec[];
  manifest: SeedManifest;
}

/**
 * Seeds MLflow 3 trace storage in Unity Catalog (opt-in per surface): v1 span/log tables, and v2
 * span/annotation tables with their two views. The v2 view lists the same traces as its span
 * table; the manifest has both, so a test can check a reader takes one of them, exactly once.
 */
export class TraceTableSeeder {
  constructor(
    private readonly connection: DuckDBConnection,
    private readonly metastore: Metastore,
    private readonly prng: Prng,
    private readonly options: TraceSeedOptions,
  ) {}

  async seed(surfaces: readonly SeedSurface[]): Promise<void> {
    if (surfaces.includes("uc-traces-v1")) await this.seedV1();
    if (surfaces.includes("uc-traces-v2")) await this.seedV2();
  }

  /** Adds traces that started `minutesAgo` before `now` to a trace table (late arrivals). */
  async insertLate(
    connection: DuckDBConnection,
    table: SeededTable,
    count: number,
    now: number,
    minutesAgo: number,
  ): Promise<{ id: string; requestTime: number }[]> {
    const layout = table.kind === "uc_trace_spans_v1" ? "v1" : "v2";
    const agent = this.options.agents.find((a) => a.task.startsWith("agent/"));
    const traces = planTraces(
      this.prng.fork(`late:${table.fullName}:${table.rowCount}`),
      agent ? [agent] : [],
      count,
      { fixed: now - minutesAgo * 60_000 },
      { late: true, malformedLast: false },
    );
    await insertTraces(connection, (n) => this.target(n), layout, traces);
    // A v2 trace shows in its span table and in the unified view alike.
    const siblings = this.options.manifest.tables.filter((t) =>
      layout === "v1" ? t === table : t.kind === "uc_trace_spans_v2" || t.kind === "uc_trace_unified_view",
    );
    for (const t of siblings) this.record(t, traces);
    return traces.map((t) => ({ id: t.traceId, requestTime: t.startMs }));
  }

  private async seedV1(): Promise<void> {
    const traces = this.plan("v1");
    await this.create(V1_SPANS_TABLE, V1_SPAN_COLUMNS, "uc_trace_spans_v1", traces);
    await this.create(V1_LOGS_TABLE, V1_LOG_COLUMNS, "uc_trace_auxiliary", []);
    await insertTraces(this.connection, (n) => this.target(n), "v1", traces);
  }

  private async seedV2(): Promise<void> {
    const traces = this.plan("v2");
    const { catalog, schema } = this.options;
    await this.create(`${V2_PREFIX}_otel_spans`, V2_SPAN_COLUMNS, "uc_trace_spans_v2", traces, {
      "otel.schemaVersion": "v2",
    });
    await this.create(`${V2_PREFIX}_otel_annotations`, V2_ANNOTATION_COLUMNS, "uc_trace_auxiliary", []);
    const views = traceViewSql((n) => this.target(n), V2_PREFIX);
    for (const [name, cols, sql, kind] of [
      [`${V2_PREFIX}_trace_metadata`, TRACE_METADATA_VIEW_COLUMNS, views.metadata, "uc_trace_auxiliary"],
      [`${V2_PREFIX}_trace_unified`, TRACE_UNIFIED_VIEW_COLUMNS, views.unified, "uc_trace_unified_view"],
    ] as const) {
      await this.metastore.createTable({
        catalog,
        schema,
        name,
        columns: cols,
        viewSql: sql,
        comment: "MLflow trace view",
      });
      this.options.manifest.tables.push(this.seeded(name, kind));
      if (kind === "uc_trace_unified_view") this.record(this.options.manifest.tables.at(-1)!, traces);
    }
    await insertTraces(this.connection, (n) => this.target(n), "v2", traces);
  }

  private plan(layout: "v1" | "v2"): PlannedTrace[] {
    const { now, windowMinutes, tracesPerTable } = this.options;
    return planTraces(
      this.prng.fork(layout),
      this.options.agents,
      tracesPerTable ?? 12,
      { now, windowMs: windowMinutes * 60_000 },
      { late: false, malformedLast: true },
    );
  }

  private async create(
    name: string,
    columns: Parameters<Metastore["createTable"]>[0]["columns"],
    kind: SeededTable["kind"],
    traces: readonly PlannedTrace[],
    properties: Record<string, string> = {},
  ): Promise<void> {
    const { catalog, schema } = this.options;
    await this.metastore.createTable({
      catalog,
      schema,
      name,
      columns,
      properties,
      comment: "MLflow traces",
    });
    const table = this.seeded(name, kind);
    this.options.manifest.tables.push(table);
    if (kind !== "uc_trace_auxiliary") this.record(table, traces);
  }

  private seeded(name: string, kind: SeededTable["kind"]): SeededTable {
    const { catalog, schema } = this.options;
    return { fullName: `${catalog}.${schema}.${name}`, catalog, schema, name, kind, rowCount: 0, rows: [] };
  }

  private record(table: SeededTable, traces: readonly PlannedTrace[]): void {
    table.rows ??= [];
    for (const t of traces) table.rows.push(traceRow(t));
    table.rowCount += traces.length;
  }

  private target(name: string): string {
    return `${quote(this.options.catalog)}.${quote(this.options.schema)}.${quote(name)}`;
  }
}

function traceRow(t: PlannedTrace): SeededRow {
  return {
    id: t.traceId,
    requestTime: t.startMs,
    statusCode: t.state === "OK" ? 200 : 500,
    toolCalls: t.toolCalls,
    trace: true,
    sensitive: false,
    malformed: t.malformed,
    oversized: false,
    responseMissing: false,
    late: t.late,
  };
}
