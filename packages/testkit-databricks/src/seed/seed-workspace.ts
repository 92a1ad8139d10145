import type { DuckDBConnection } from "@duckdb/node-api";
import { type Metastore, quote, type TableSpec } from "../catalog/metastore.js";
import type { DuckDbEngine } from "../sql/duckdb-engine.js";
import { type AgentSpec, planAgents } from "./agents.js";
import type { SeededRow, SeededTable, SeedManifest, SeedSurface } from "./manifest.js";
import {
  type AgentTask,
  buildTemplates,
  malformedRequest,
  oversizedRequest,
  type PayloadTemplate,
  traceTimeSql,
} from "./payloads.js";
import { Prng } from "./prng.js";
import type { SensitiveValue } from "./sensitive-data.js";
import {
  AI_GATEWAY_BETA_COLUMNS,
  AI_GATEWAY_PAYLOAD_COLUMNS,
  LEDGER_COLUMNS,
  LEGACY_PAYLOAD_COLUMNS,
  ORDERS_COLUMNS,
  PAGE_VIEWS_COLUMNS,
  REQUEST_LOGS_COLUMNS,
} from "./tables.js";
import { TraceTableSeeder } from "./trace-table-seeder.js";

export interface SeedOptions {
  seed: number;
  catalog: string;
  schema: string;
  agentsPerTask: number;
  rowsPerTable: number;
  /** Epoch ms; request times are spread over [now − windowMinutes, now). */
  now: number;
  windowMinutes: number;
  /** Tables with more rows than this list only counts in the manifest. */
  manifestRowLimit: number;
  /** Opt-in execution surfaces (AI Gateway Beta layout, UC trace tables v1/v2). */
  surfaces?: readonly SeedSurface[];
  /** Traces per agent endpoint in each UC trace table. Default 12. */
  tracesPerTable?: number;
}

/** Distinct payload bodies per table; rows reuse them (keeps 1M-row seeds small and fast). */
const TEMPLATES_PER_TABLE = 256;
/** The special rows every payload table gets (when it has room): malformed, oversized, no response. */
const SPECIAL_ROWS = 3;

/**
 * Seeds the workspace: catalogs, schemas, agents' models, payload tables with deterministic
 * traffic, unrelated tables, and a second catalog the connector cannot read. Rows are produced by
 * DuckDB from a small row plan appended in bulk plus a template table, never row-by-row INSERTs.
 */
export class WorkspaceSeeder {
  private readonly prng: Prng;
  private readonly templates = new Map<string, PayloadTemplate[]>();
  private traceTables: TraceTableSeeder | undefined;
  readonly manifest: SeedManifest;

  constructor(
    private readonly engine: DuckDbEngine,
    private readonly metastore: Metastore,
    private readonly options: SeedOptions,
  ) {
    this.prng = new Prng(options.seed);
    this.manifest = {
      seed: options.seed,
      now: options.now,
      windowMinutes: options.windowMinutes,
      catalog: options.catalog,
      schema: options.schema,
      agents: planAgents(options.catalog, options.schema, options.agentsPerTask, {
        aiGatewayBeta: options.surfaces?.includes("ai-gateway-beta") ?? false,
        experimentTraces: options.surfaces?.includes("experiment-traces") ?? false,
      }),
      tables: [],
      sensitiveValues: [],
    };
  }

  async seed(): Promise<SeedManifest> {
    const { catalog, schema } = this.options;
    await this.metastore.createCatalog(catalog, "Default workspace catalog");
    await this.metastore.createSchema(catalog, schema, "Default schema");
    await this.metastore.createSchema(catalog, "analytics");
    const connection = await this.engine.connect();
    try {
      for (const agent of this.manifest.agents) {
        const [c, s, m] = agent.model.split(".") as [string, string, string];
        const aliases = agent.aliases;
        this.metastore.createModel(
          c,
          s,
          m,
          agent.modelVersions,
          aliases,
          `Agent served by ${agent.endpoint}`,
        );
        await this.seedPayloadTable(connection, agent);
      }
      await this.seedUnrelated(connection);
      this.traceTables = new TraceTableSeeder(connection, this.metastore, this.prng.fork("uc-traces"), {
        ...this.options,
        agents: this.manifest.agents,
        manifest: this.manifest,
      });
      await this.traceTables.seed(this.options.surfaces ?? []);
    } finally {
      connection.closeSync();
    }
    const seen = new Set<string>();
    for (const list of this.templates.values()) {
      for (const t of list) {
        for (const v of t.sensitive) {
          if (!seen.has(v.value)) {
            seen.add(v.value);
            this.manifest.sensitiveValues.push(v);
          }
        }
      }
    }
    return this.manifest;
  }

  /** Appends `count` rows with request_time = now − minutesAgo (default 20) to a payload table. */
  async insertLateRows(count: number, options: { table?: string; minutesAgo?: number; now?: number } = {}) {
    const named = this.manifest.tables.find((t) => t.name === options.table || t.fullName === options.table);
    if (named?.kind.startsWith("uc_trace_")) {
      const connection = await this.engine.connect();
      try {
        return await this.traceTables!.insertLate(
          connection,
          named,
          count,
          options.now ?? this.options.now,
          options.minutesAgo ?? 20,
        );
      } finally {
        connection.closeSync();
      }
    }
    const table = named ?? this.manifest.tables.find((t) => t.kind === "ai_gateway_payload");
    const agent = this.manifest.agents.find((a) => a.endpoint === table?.endpoint);
    if (!table || !agent) throw new Error(`insertLateRows: no payload table named "${options.table ?? ""}"`);
    const now = options.now ?? this.options.now;
    const time = now - (options.minutesAgo ?? 20) * 60_000;
    const templates = this.templates.get(table.fullName) ?? [];
    const plan: RowPlan = {
      count,
      salt: `late:${table.rowCount}`,
      time: { kind: "fixed", start: time },
      template: { kind: "random", modulo: Math.max(1, templates.length - SPECIAL_ROWS) },
      late: true,
    };
    const connection = await this.engine.connect();
    let rows: SeededRow[];
    try {
      rows = await this.insertPlan(connection, agent, table, templates, plan);
    } finally {
      connection.closeSync();
    }
    return rows.map((r) => ({ id: r.id, requestTime: r.requestTime }));
  }

  private async seedPayloadTable(connection: DuckDBConnection, agent: AgentSpec): Promise<void> {
    const { catalog, schema, rowsPerTable, now, windowMinutes } = this.options;
    const legacy = agent.logging === "legacy";
    const beta = agent.logging === "ai_gateway_beta";
    await this.metastore.createTable({
      catalog,
      schema,
      name: agent.table,
      columns: legacy ? LEGACY_PAYLOAD_COLUMNS : beta ? AI_GATEWAY_BETA_COLUMNS : AI_GATEWAY_PAYLOAD_COLUMNS,
      comment: legacy
        ? `Auto-capture inference table for ${agent.endpoint}`
        : `AI Gateway${beta ? " (Beta)" : ""} inference table for ${agent.endpoint}`,
      properties: { "databricks.inference_table.endpoint": agent.endpoint },
    });
    const fullName = `${catalog}.${schema}.${agent.table}`;
    const prng = this.prng.fork(`table:${fullName}`);
    const task: AgentTask = agent.task === "agent/v1/chat" ? "agent/v2/chat" : agent.task;
    const templates = buildTemplates(
      prng.fork("templates"),
      { task, endpoint: agent.endpoint, model: agent.model },
      Math.max(1, Math.min(TEMPLATES_PER_TABLE, rowsPerTable)),
    );
    const special = rowsPerTable >= 10 ? SPECIAL_ROWS : 0;
    const base = templates[0] as PayloadTemplate;
    templates.push(
      { ...base, request: malformedRequest(), toolCalls: 0, trace: false, sensitive: [], statusCode: 200 },
      {
        ...base,
        request: oversizedRequest(task),
        toolCalls: 0,
        trace: false,
        sensitive: [],
        statusCode: 200,
      },
      {
        ...base,
        response: null,
        loggingErrorCodes: ["MAX_RESPONSE_SIZE_EXCEEDED"],
        toolCalls: 0,
        trace: false,
        statusCode: 200,
      },
    );
    const specialBase = templates.length - SPECIAL_ROWS;
    this.templates.set(fullName, templates);

    const plan: RowPlan = {
      count: rowsPerTable,
      salt: "seed",
      time: { kind: "window", now, windowMs: windowMinutes * 60_000 },
      template: { kind: "cyclic", normal: rowsPerTable - special, modulo: specialBase },
      late: false,
    };
    const table: SeededTable = {
      fullName,
      catalog,
      schema,
      name: agent.table,
      kind: legacy ? "legacy_payload" : beta ? "ai_gateway_beta_payload" : "ai_gateway_payload",
      endpoint: agent.endpoint,
      rowCount: 0,
    };
    this.manifest.tables.push(table);
    await this.insertPlan(connection, agent, table, templates, plan);
  }

  /**
   * Inserts the rows of a plan. Ids, times and template choices are derived in SQL from
   * md5(seed, table, row number), so a million rows need no per-row JavaScript.
   */
  private async insertPlan(
    connection: DuckDBConnection,
    agent: AgentSpec,
    table: SeededTable,
    templates: PayloadTemplate[],
    plan: RowPlan,
  ): Promise<SeededRow[]> {
    const legacy = table.kind === "legacy_payload";
    const scratch = `seed_${Math.abs(hashCode(`${table.fullName}:${plan.salt}`))}`;
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE ${scratch}_tpl (tpl INTEGER, request VARCHAR, response VARCHAR, status INTEGER, codes VARCHAR[], duration BIGINT, requester VARCHAR)`,
    );
    const tplAppender = await connection.createAppender(`${scratch}_tpl`, "main", "temp");
    templates.forEach((t, i) => {
      tplAppender.appendInteger(i);
      appendNullable(tplAppender, t.request);
      appendNullable(tplAppender, t.response);
      tplAppender.appendInteger(t.statusCode);
      if (t.loggingErrorCodes) tplAppender.appendList(t.loggingErrorCodes);
      else tplAppender.appendNull();
      tplAppender.appendBigInt(BigInt(t.durationMs));
      tplAppender.appendVarchar(t.requester);
      tplAppender.endRow();
    });
    tplAppender.closeSync();

    // One md5 per row, materialised; every derived value reads hex digits of it (no re-hashing).
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE ${scratch}_hash AS
       SELECT i, md5('${this.options.seed}:${table.fullName}:${plan.salt}:' || i) AS h FROM range(${plan.count}) r(i)`,
    );
    const num = `CAST(('0x' || substr(h, 1, 12)) AS BIGINT)`;
    const time =
      plan.time.kind === "window"
        ? `${plan.time.now - 1} - ${num} % ${Math.max(1, plan.time.windowMs - 1)}`
        : `${plan.time.start} + i`;
    const template =
      plan.template.kind === "cyclic"
        ? `CASE WHEN i < ${plan.template.normal} THEN i % ${Math.max(1, plan.template.modulo)} ELSE ${plan.template.modulo} + (i - ${plan.template.normal}) END`
        : `${num} % ${plan.template.modulo}`;
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE ${scratch}_plan AS
       SELECT i,
              substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-' ||
                substr('89ab', CAST(('0x' || substr(h, 17, 1)) AS INTEGER) % 4 + 1, 1) || substr(h, 18, 3) || '-' || substr(h, 21, 12) AS id,
              CASE WHEN i % 3 = 0 AND NOT ${plan.late} THEN 'client-' || substr(h, 22, 10) END AS client_id,
              CAST(${time} AS BIGINT) AS ts_ms,
              CAST(${template} AS INTEGER) AS tpl
       FROM ${scratch}_hash`,
    );
    await connection.run(`DROP TABLE ${scratch}_hash`);

    const target = `${quote(table.catalog)}.${quote(table.schema)}.${quote(table.name)}`;
    const [, , modelName] = agent.model.split(".");
    const response = traceTimeSql("t.response", "p.ts_ms");
    const select = legacy
      ? `SELECT p.client_id, p.id, CAST(epoch_ms(p.ts_ms) AS DATE), p.ts_ms, t.status, t.duration, t.request, ${response}, 1.0,
           MAP {'model_name': '${modelName ?? ""}', 'endpoint_name': '${agent.endpoint}', 'model_version': '${agent.servedVersion}'}`
      : table.kind === "ai_gateway_beta_payload"
        ? `SELECT epoch_ms(p.ts_ms), CAST(epoch_ms(p.ts_ms) AS DATE), p.id, '${agent.endpoint}', '${modelName ?? ""}-${agent.servedVersion}',
           t.status, t.duration, t.request, ${response}, t.codes, t.requester`
        : `SELECT p.id, p.client_id, CAST(epoch_ms(p.ts_ms) AS DATE), epoch_ms(p.ts_ms), t.status, 1.0, t.duration,
           t.request, ${response}, t.codes, '${agent.servedEntityId}', t.requester`;
    await connection.run(
      `INSERT INTO ${target} ${select} FROM ${scratch}_plan p JOIN ${scratch}_tpl t ON t.tpl = p.tpl`,
    );

    const specialBase = templates.length - SPECIAL_ROWS;
    const total = table.rowCount + plan.count;
    const wantRows = total <= this.options.manifestRowLimit;
    const rows: SeededRow[] = [];
    if (wantRows || plan.late) {
      const reader = await connection.runAndReadAll(`SELECT id, ts_ms, tpl FROM ${scratch}_plan ORDER BY i`);
      for (const [id, ts, tpl] of reader.getRows() as [string, bigint, number][]) {
        const t = templates[tpl] as PayloadTemplate;
        rows.push({
          id,
          requestTime: Number(ts),
          statusCode: t.statusCode,
          toolCalls: t.toolCalls,
          trace: t.trace,
          sensitive: t.sensitive.length > 0,
          malformed: tpl === specialBase,
          oversized: tpl === specialBase + 1,
          responseMissing: tpl === specialBase + 2,
          late: plan.late,
        });
      }
    }
    await connection.run(`DROP TABLE ${scratch}_tpl`);
    await connection.run(`DROP TABLE ${scratch}_plan`);
    if (wantRows) {
      table.rows ??= [];
      table.rows.push(...rows);
    } else {
      delete table.rows;
    }
    table.rowCount = total;
    return rows;
  }

  private async seedUnrelated(connection: DuckDBConnection): Promise<void> {
    const { catalog, schema, now } = this.options;
    await this.metastore.createTable({
      catalog,
      schema,
      name: "orders",
      columns: ORDERS_COLUMNS,
      comment: "Web shop orders",
    });
    await connection.run(
      `INSERT INTO ${quote(catalog)}.${quote(schema)}.orders
       SELECT i, 'customer' || i || '@example.com', round(10 + (i * 37 % 500) + 0.99, 2), CASE WHEN i % 4 = 0 THEN 'refunded' ELSE 'paid' END,
              epoch_ms(${now} - i * 60000) FROM range(1, 51) r(i)`,
    );
    this.manifest.tables.push(unrelated(catalog, schema, "orders", 50));

    // A deprecated agent request-log table: payload-like name, different columns, empty.
    const first = this.manifest.agents[0];
    if (first) {
      const name = `${first.tablePrefix}_payload_request_logs`;
      await this.seedEmptyTable(
        { catalog, schema, name, columns: REQUEST_LOGS_COLUMNS },
        "deprecated_request_logs",
      );
    }

    await this.seedEmptyTable({
      catalog,
      schema: "analytics",
      name: "page_views",
      columns: PAGE_VIEWS_COLUMNS,
    });

    // A catalog nobody but admins may use (permission-denied paths).
    await this.metastore.createCatalog("finance", "Restricted finance data");
    await this.metastore.createSchema("finance", "default");
    await this.seedEmptyTable({
      catalog: "finance",
      schema: "default",
      name: "ledger",
      columns: LEDGER_COLUMNS,
    });
  }

  /** A table with no rows, in the metastore and in the manifest. */
  private async seedEmptyTable(spec: TableSpec, kind: SeededTable["kind"] = "unrelated"): Promise<void> {
    await this.metastore.createTable(spec);
    this.manifest.tables.push({ ...unrelated(spec.catalog, spec.schema, spec.name, 0), kind });
  }
}

/** How to generate a batch of rows (evaluated by DuckDB). */
interface RowPlan {
  count: number;
  /** Distinguishes batches of one table (initial seed, each late insert). */
  salt: string;
  time: { kind: "window"; now: number; windowMs: number } | { kind: "fixed"; start: number };
  /** "cyclic": row i uses template i % modulo, the last rows the special templates; "random": by hash. */
  template: { kind: "cyclic"; normal: number; modulo: number } | { kind: "random"; modulo: number };
  late: boolean;
}

function unrelated(catalog: string, schema: string, name: string, rowCount: number): SeededTable {
  return { fullName: `${catalog}.${schema}.${name}`, catalog, schema, name, kind: "unrelated", rowCount };
}

function appendNullable(
  appender: { appendVarchar(v: string): void; appendNull(): void },
  value: string | null,
) {
  if (value === null) appender.appendNull();
  else appender.appendVarchar(value);
}

function hashCode(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}

export type { SensitiveValue };
