import { randomUUID } from "node:crypto";
import type { ObservableResult } from "@opentelemetry/api";
import type { AgentExecution } from "@pipekit/agent-execution";
import { type Logger, parseConfig, type Source, type SourceChunk, type SourceContext } from "@pipekit/core";
import type { HealthStatus } from "@pipekit/core/advanced";
import { type AccessTokenProvider, OAuthM2MTokenProvider, PatTokenProvider } from "../auth/token-provider.js";
import { DeliveredIds } from "../checkpoint/delivered-ids.js";
import {
  DATABRICKS_SECRET_FIELDS,
  type DatabricksSourceConfig,
  type DatabricksSourceConfigInput,
  databricksSourceConfigSchema,
  hostName,
  normaliseHostUrl,
} from "../config/config.js";
import { AgentDiscovery } from "../discovery/discovery.js";
import type { AgentInventory, AgentTable } from "../discovery/inventory.js";
import { DatabricksApiError } from "../errors/errors.js";
import { HttpClient } from "../http/http-client.js";
import { DatabricksRestClient } from "../http/rest-client.js";
import { createSourceMetrics, type SourceMetrics } from "../metrics/source-metrics.js";
import {
  type ExperimentReadContext,
  experimentKey,
  readExperimentTraces,
  type TracedExperiment,
} from "../read/experiment-trace-reader.js";
import { lazyMerge } from "../read/lazy-merge.js";
import { type ReadWindow, readTable, type TableCycleStats } from "../read/table-reader.js";
import { WarehouseSql } from "../sql/warehouse-sql.js";
import { endTableSpan, spanFailed, startTableSpan, tracedDiscovery } from "../tracing/source-spans.js";
import { resolveWarehouse, type WarehouseTarget } from "../warehouse/resolve-warehouse.js";

export interface DatabricksSourceOptions {
  /** Clock for window computation (tests pin it); defaults to Date.now. */
  readonly now?: () => number;
  /** First REST backoff step; tests shorten it. */
  readonly retryBaseDelayMs?: number;
  /** Page size asked of Unity Catalog list calls. */
  readonly listPageSize?: number;
  /**
   * Which tables this instance reads (by full name `catalog.schema.table`); all when absent. It is
   * consulted on every cycle and again just before each table is opened, so a change of ownership
   * (e.g. shards moved by a Kafka consumer group) takes effect without reopening the source.
   * Tables it rejects are neither read nor reported.
   */
  readonly tableFilter?: (fullName: string) => boolean;
}

/** The outcome of the last read() pass: the inventory plus what each table yielded. */
export interface DatabricksCycleSummary {
  readonly startedAt: number;
  readonly window: { readonly from: number; readonly to: number };
  readonly inventory: AgentInventory;
  readonly tables: readonly TableCycleStats[];
}

export type DatabricksSource = Source<AgentExecution> & {
  /** The inventory of the last discovery (undefined before the first cycle). */
  inventory(): AgentInventory | undefined;
  readonly lastCycle: DatabricksCycleSummary | undefined;
  /** Closes the SQL session and HTTP connections. */
  close(): Promise<void>;
};

/**
 * Discovers the workspace's agents and their tables, then reads each table's window
 * `[now − lookBack, now − safetyLag]` and yields AgentExecution messages, one chunk per fetched
 * result chunk. One read() is one polling cycle.
 */
export class DatabricksSourceImpl implements DatabricksSource {
  readonly type = "databricks";
  private readonly config: DatabricksSourceConfig;
  private readonly baseUrl: string;
  private readonly host: string;
  private readonly http: HttpClient;
  private readonly tokens: AccessTokenProvider;
  private readonly rest: DatabricksRestClient;
  private readonly now: () => number;
  private discovery: AgentDiscovery | undefined;
  private warehouse: WarehouseTarget | undefined;
  private sql: WarehouseSql | undefined;
  private metrics: SourceMetrics | undefined;
  private lastInventory: AgentInventory | undefined;
  private summary: DatabricksCycleSummary | undefined;
  /** Delivered ids per table, kept between cycles (re-loaded when another writer changed them). */
  private readonly delivered = new Map<string, DeliveredIds>();
  /** Identity written into this instance's checkpoints. */
  private readonly writer = randomUUID();
  /** Per table, the newest request time seen (rows behind = now − it); one entry per discovered table. */
  private readonly newestSeen = new Map<string, number>();
  private rowsBehind: { stop(): void } | undefined;

  /** `config` is already parsed (defaults applied): by the registry, or by createDatabricksSource. */
  constructor(
    config: DatabricksSourceConfig,
    private readonly options: DatabricksSourceOptions = {},
  ) {
    this.config = config;
    this.baseUrl = normaliseHostUrl(this.config.host);
    this.host = hostName(this.config.host);
    this.now = options.now ?? Date.now;
    this.http = new HttpClient({
      caCert: this.config.caCert,
      maxRetries: this.config.restMaxRetries,
      baseDelayMs: options.retryBaseDelayMs ?? 500,
      maxDelayMs: 30_000,
      timeoutMs: this.config.requestTimeoutMs,
      hostLabel: this.host,
      onRetry: (info) => this.metrics?.restRetries.add(1, { reason: info.reason }),
    });
    this.tokens =
      this.config.clientId && this.config.clientSecret
        ? new OAuthM2MTokenProvider({
            baseUrl: this.baseUrl,
            hostLabel: this.host,
            clientId: this.config.clientId,
            clientSecret: this.config.clientSecret,
            http: this.http,
          })
        : new PatTokenProvider(this.config.token!);
    this.rest = new DatabricksRestClient(this.baseUrl, this.http, this.tokens);
  }

  inventory(): AgentInventory | undefined {
    return this.lastInventory;
  }

  get lastCycle(): DatabricksCycleSummary | undefined {
    return this.summary;
  }

  cycleSummary(): Readonly<Record<string, number>> | undefined {
    const cycle = this.summary;
    if (!cycle) return undefined;
    const sum = (pick: (t: TableCycleStats) => number) => cycle.tables.reduce((n, t) => n + pick(t), 0);
    // "agents" are the agent-task endpoints discovered; "agentsWithExecutions" the endpoints (LLM
    // ones too) whose executions this cycle emitted — what Akto's records are tagged with.
    const agents = new Set(cycle.tables.flatMap((t) => [...t.agents]));
    const bySurface: Record<string, number> = {};
    for (const t of cycle.tables) {
      if (!t.kind) continue;
      const key = `executions.${t.kind}`;
      bySurface[key] = (bySurface[key] ?? 0) + t.emitted;
    }
    return {
      agents: cycle.inventory.agents.length,
      agentsWithExecutions: agents.size,
      ...bySurface,
      tables: cycle.tables.length,
      tablesSkipped: cycle.tables.filter((t) => t.error !== undefined).length,
      rowsRead: sum((t) => t.rowsRead),
      executions: sum((t) => t.emitted),
      lateRows: sum((t) => t.late),
      duplicatesSuppressed: sum((t) => t.duplicates),
      tracesCoveredByTables: sum((t) => t.coveredByTables),
      parseFailures: sum((t) => t.parseFailures),
    };
  }

  async *read(ctx: SourceContext): AsyncGenerator<SourceChunk<AgentExecution>, void, undefined> {
    const logger = ctx.logger;
    const metrics = createSourceMetrics(ctx.meter);
    this.metrics = metrics;
    this.observeRowsBehind(ctx);
    const startedAt = this.now();
    const window: ReadWindow = {
      from: startedAt - this.config.lookBackMinutes * 60_000,
      to: startedAt - this.config.safetyLagSeconds * 1000,
      oldest: startedAt - this.config.maxBacklogMinutes * 60_000,
    };

    this.discovery ??= new AgentDiscovery(
      this.rest,
      {
        workspace: this.host,
        catalog: this.config.catalog,
        schema: this.config.schema,
        prefix: this.config.prefix,
        pageSize: this.options.listPageSize,
        now: this.now,
      },
      logger,
    );
    const discovery = this.discovery;
    const discovered = await tracedDiscovery(
      ctx.tracer,
      this.host,
      () => discovery.discover(ctx.signal),
      (found) => ({
        "databricks.agents": found.inventory.agents.length,
        "databricks.tables": found.tables.length,
        "databricks.tables_unreadable": found.unreadable.length,
      }),
    );
    const { inventory } = discovered;
    this.lastInventory = inventory;
    logInventory(logger, inventory);
    const owned = this.options.tableFilter;
    const tables = owned ? discovered.tables.filter((t) => owned(t.fullName)) : discovered.tables;
    const unreadable = owned ? discovered.unreadable.filter((u) => owned(u.fullName)) : discovered.unreadable;

    const sql = await this.warehouseSql(logger, ctx.signal);
    const stats: TableCycleStats[] = unreadable.map((u) => {
      metrics.tableFailures.add(1, { table: u.fullName });
      logger.error({ table: u.fullName, err: u.error, hint: u.error.hint }, "table skipped this cycle");
      return { ...emptyStats(u.fullName, undefined), error: u.error.message };
    });
    this.summary = { startedAt, window, inventory, tables: stats };
    const readContext = {
      sql,
      workspace: this.host,
      sourceName: ctx.componentId,
      chunkRows: this.config.chunkRows,
      checkpointEveryRows: this.config.checkpointEveryRows,
      logger,
      metrics,
      now: this.now,
    };
    const factories = tables.map((table) => () => {
      // Ownership may have moved since the cycle began: a table given away is left to its new owner.
      if (owned && !owned(table.fullName)) return noChunks();
      const s = emptyStats(table.fullName, table.kind);
      stats.push(s);
      return this.readOneTable(ctx, readContext, table, window, s);
    });
    // Experiment traces over REST (agents' MLFLOW_EXPERIMENT_ID), each read like a table.
    const experimentContext = {
      rest: this.rest,
      http: this.http,
      workspace: this.host,
      sourceName: ctx.componentId,
      logger,
      metrics,
      signal: ctx.signal,
      endpointsWithTables: new Set(tables.map((t) => t.agent.endpoint)),
    };
    for (const experiment of discovered.experiments) {
      const key = experimentKey(experiment.experimentId);
      if (owned && !owned(key)) continue;
      factories.push(() => {
        if (owned && !owned(key)) return noChunks();
        const s = emptyStats(key, "experiment-traces");
        stats.push(s);
        return this.readOneExperiment(ctx, experimentContext, experiment, window, s);
      });
    }
    try {
      yield* lazyMerge(factories, this.config.tableConcurrency);
    } catch (error) {
      // A rejected token or a lost connection may be cured by a new session next cycle.
      await this.resetSql();
      throw error;
    }
    logger.info(
      {
        window: { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() },
        tables: stats.map(({ table, kind, rowsRead, emitted, duplicates, late, parseFailures, error }) => ({
          table,
          kind,
          rowsRead,
          emitted,
          duplicates,
          late,
          parseFailures,
          ...(error ? { error } : {}),
        })),
      },
      "databricks cycle read",
    );
  }

  private async *readOneExperiment(
    ctx: SourceContext,
    readContext: ExperimentReadContext,
    experiment: TracedExperiment,
    window: ReadWindow,
    stats: TableCycleStats,
  ): AsyncGenerator<SourceChunk<AgentExecution>, void, undefined> {
    const delivered = await this.deliveredIds(ctx, stats.table, readContext.metrics);
    delivered.beginCycle();
    try {
      yield* readExperimentTraces(readContext, experiment, window, delivered, stats);
    } catch (error) {
      // An experiment the API refuses is reported and skipped, as a table is; auth and connection
      // failures end the cycle (every other read would fail the same way).
      if (!(error instanceof DatabricksApiError) || error.status === 401) throw error;
      stats.error = `experiment ${experiment.experimentId} not readable: ${error.message}`;
      readContext.metrics.tableFailures.add(1, { table: stats.table });
      readContext.logger.error({ table: stats.table, err: error }, "experiment traces skipped this cycle");
    }
  }

  private async *readOneTable(
    ctx: SourceContext,
    readContext: Parameters<typeof readTable>[0],
    table: AgentTable,
    window: ReadWindow,
    stats: TableCycleStats,
  ): AsyncGenerator<SourceChunk<AgentExecution>, void, undefined> {
    const span = startTableSpan(ctx.tracer, table);
    try {
      const delivered = await this.deliveredIds(ctx, table.fullName, readContext.metrics);
      delivered.beginCycle();
      yield* readTable(readContext, table, window, delivered, stats);
    } catch (error) {
      spanFailed(span, error);
      throw error;
    } finally {
      endTableSpan(span, stats);
      if (stats.newestRequestTime !== undefined) {
        const seen = this.newestSeen.get(table.fullName);
        if (seen === undefined || stats.newestRequestTime > seen)
          this.newestSeen.set(table.fullName, stats.newestRequestTime);
      }
    }
  }

  /**
   * databricks_source_table_rows_behind_seconds: per table, now minus the newest row time seen,
   * observed at each scrape so it keeps growing while a table gets no new rows or is not read.
   */
  private observeRowsBehind(ctx: SourceContext): void {
    if (this.rowsBehind) return;
    const gauge = ctx.meter.createObservableGauge("databricks_source_table_rows_behind_seconds", {
      description: "Now minus the newest request time seen in the table (how far the import is behind)",
      unit: "s",
    });
    // The look-back beside it: rows further behind than that are outside every window read.
    const lookBack = ctx.meter.createObservableGauge("databricks_source_lookback_seconds", {
      description: "The read window's look-back (rows behind by more are no longer read)",
      unit: "s",
    });
    const lookBackSeconds = this.config.lookBackMinutes * 60;
    const observe = (result: ObservableResult) => {
      const now = this.now();
      for (const [table, newest] of this.newestSeen) result.observe((now - newest) / 1000, { table });
    };
    const observeLookBack = (result: ObservableResult) => result.observe(lookBackSeconds);
    gauge.addCallback(observe);
    lookBack.addCallback(observeLookBack);
    this.rowsBehind = {
      stop: () => {
        gauge.removeCallback(observe);
        lookBack.removeCallback(observeLookBack);
      },
    };
  }

  /**
   * The table's state: the copy kept from the previous cycle while the stored manifest is still the
   * one it matches, else loaded again (first cycle, or another instance wrote the table since). Read
   * at table open, not earlier: the commits of the previous table's chunks may have landed since.
   */
  private async deliveredIds(
    ctx: SourceContext,
    table: string,
    metrics: SourceMetrics,
  ): Promise<DeliveredIds> {
    const kept = this.delivered.get(table);
    if (kept?.isCurrentWith(await ctx.checkpoints.get(table))) return kept;
    const loaded = await DeliveredIds.load(ctx.checkpoints, {
      table,
      maxBytes: this.config.maxDeliveredStateBytesPerTable,
      writer: this.writer,
      logger: ctx.logger,
      onFloorRaised: () => metrics.stateFloorRaised.add(1, { table }),
    });
    this.delivered.set(table, loaded);
    return loaded;
  }

  async health(): Promise<HealthStatus> {
    try {
      await this.tokens.getToken();
      return { ok: true, detail: `authenticated to ${this.host}` };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  async close(): Promise<void> {
    this.rowsBehind?.stop();
    this.rowsBehind = undefined;
    await this.resetSql();
    await this.http.close();
  }

  private async warehouseSql(logger: Logger, signal: AbortSignal): Promise<WarehouseSql> {
    if (this.sql) return this.sql;
    this.warehouse ??= await resolveWarehouse(
      this.rest,
      this.host,
      { warehouseId: this.config.warehouseId, httpPath: this.config.httpPath },
      signal,
    );
    const url = new URL(this.baseUrl);
    logger.info(
      { warehouse: this.warehouse.name ?? this.warehouse.id, httpPath: this.warehouse.httpPath },
      "using SQL warehouse",
    );
    this.sql = new WarehouseSql({
      host: url.hostname,
      port: url.port ? Number(url.port) : 443,
      httpPath: this.warehouse.httpPath,
      tokens: this.tokens,
      caCert: this.config.caCert,
      cloudFetch: this.config.cloudFetch,
      catalog: this.config.catalog,
      schema: this.config.schema,
      logger,
    });
    return this.sql;
  }

  private async resetSql(): Promise<void> {
    const sql = this.sql;
    this.sql = undefined;
    if (!this.config.warehouseId && !this.config.httpPath) this.warehouse = undefined;
    await sql?.close();
  }
}

async function* noChunks(): AsyncGenerator<SourceChunk<AgentExecution>, void, undefined> {}

function emptyStats(table: string, kind: TableCycleStats["kind"]): TableCycleStats {
  return {
    table,
    kind,
    agents: new Set(),
    rowsRead: 0,
    emitted: 0,
    duplicates: 0,
    coveredByTables: 0,
    late: 0,
    parseFailures: 0,
    newestRequestTime: undefined,
    error: undefined,
  };
}

function logInventory(logger: Logger, inventory: AgentInventory): void {
  logger.info(
    {
      agents: inventory.agents.map((a) => ({
        endpoint: a.endpoint,
        task: a.task,
        models: a.models.map((m) => `${m.fullName}@${m.servedVersions.join("/") || "?"}`),
      })),
      tables: inventory.tables.map((t) => `${t.fullName} (${t.kind})`),
      ...(inventory.outOfScopeTables.length > 0 ? { outOfScopeTables: inventory.outOfScopeTables } : {}),
      ...(inventory.coveredByViews?.length ? { readThroughViews: inventory.coveredByViews } : {}),
      ...(inventory.warnings.length > 0 ? { warnings: inventory.warnings } : {}),
    },
    "databricks agent inventory",
  );
  // Named with their columns: a layout Databricks introduced after this connector shows up here
  // instead of being skipped without a word.
  for (const t of inventory.unknownLayoutTables ?? []) {
    logger[t.expected ? "warn" : "info"](
      { table: t.fullName, columns: t.columns },
      "table matches the prefix but has no known execution layout; not read",
    );
  }
}

export function createDatabricksSource(
  config: DatabricksSourceConfigInput,
  options: DatabricksSourceOptions = {},
): DatabricksSource {
  const parsed = parseConfig(databricksSourceConfigSchema, config, "Databricks source config", [], {
    secretFields: DATABRICKS_SECRET_FIELDS,
  });
  return new DatabricksSourceImpl(parsed, options);
}
