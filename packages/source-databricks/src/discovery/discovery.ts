import type { AgentRef } from "@pipekit/agent-execution";
import type { Logger } from "@pipekit/core";
import pLimit from "p-limit";
import {
  DatabricksAccessDeniedError,
  DatabricksApiError,
  type DatabricksSourceError,
  NoAgentTablesError,
  NoReadableAgentTablesError,
} from "../errors/errors.js";
import { accessDeniedFrom } from "../errors/permission-message.js";
import type { DatabricksRestClient } from "../http/rest-client.js";
import type { TracedExperiment } from "../read/experiment-trace-reader.js";
import { classifyTable, isAuxiliaryTable, type TableKind } from "./classify-table.js";
import type { AgentInfo, AgentInventory, AgentTable, ModelInfo } from "./inventory.js";

const UC = "/api/2.1/unity-catalog";
const AGENT_TASK = /^agent\//;
/** Names Databricks gives inference and trace tables. */
const AGENT_TABLE_NAME = /(_payload|_otel_spans|_trace_unified)$/;

export interface DiscoveryOptions {
  readonly workspace: string;
  readonly catalog: string;
  readonly schema: string;
  readonly prefix: string;
  /** Page size asked of list calls (the server may answer fewer, even zero). */
  readonly pageSize?: number;
  /** How long model details are reused before being read again. */
  readonly modelCacheMs?: number;
  readonly now?: () => number;
}

interface ServingEndpoint {
  name: string;
  task?: string;
  last_updated_timestamp?: number;
  state?: { ready?: string };
  config?: {
    served_entities?: ServedEntity[];
    served_models?: ServedEntity[];
    auto_capture_config?: {
      catalog_name?: string;
      schema_name?: string;
      table_name_prefix?: string;
      enabled?: boolean;
      state?: { payload_table?: { name?: string } };
    };
  };
  ai_gateway?: {
    inference_table_config?: {
      catalog_name?: string;
      schema_name?: string;
      table_name_prefix?: string;
      enabled?: boolean;
    };
  };
}

/** A table that matched the prefix but could not be described: reported as skipped each cycle. */
export interface UnreadableTable {
  readonly fullName: string;
  readonly error: DatabricksSourceError & Error;
}

interface ServedEntity {
  id?: string;
  name?: string;
  entity_name?: string;
  entity_version?: string;
  model_name?: string;
  environment_vars?: Record<string, string>;
  model_version?: string;
}

interface TableSummary {
  name: string;
  full_name?: string;
  updated_at?: number;
  columns?: { name: string }[];
}

/**
 * Finds the agents (serving endpoints with agent tasks → served UC models → inference tables) and
 * the tables to read (in catalog.schema, name starting with the prefix, columns of a known kind).
 * Endpoints and the table list are read every cycle (they are cheap and change); table columns
 * and model details are cached by their update time / for a few minutes.
 */
export class AgentDiscovery {
  private readonly columnCache = new Map<string, { updatedAt: number | undefined; columns: string[] }>();
  private readonly modelCache = new Map<string, { at: number; info: ModelInfo }>();
  private readonly now: () => number;

  constructor(
    private readonly rest: DatabricksRestClient,
    private readonly options: DiscoveryOptions,
    private readonly logger: Logger,
  ) {
    this.now = options.now ?? Date.now;
  }

  async discover(signal?: AbortSignal): Promise<{
    inventory: AgentInventory;
    tables: AgentTable[];
    unreadable: UnreadableTable[];
    experiments: TracedExperiment[];
  }> {
    const { catalog, schema, prefix } = this.options;
    const warnings: string[] = [];
    const endpoints = await this.listEndpoints(warnings, signal);
    const agentEndpoints = endpoints.filter((e) => AGENT_TASK.test(e.task ?? ""));
    const experiments = tracedExperiments(agentEndpoints);

    // Table full name → the endpoint that logs into it (any task: plain LLM endpoints too).
    const endpointByTable = new Map<string, ServingEndpoint>();
    for (const e of endpoints) for (const t of endpointTables(e)) endpointByTable.set(t.toLowerCase(), e);

    const listed = await this.listTables(signal);
    const candidates = listed.filter((t) => t.name.startsWith(prefix));
    const limit = pLimit(4);
    const unreadable: UnreadableTable[] = [];
    const classified = await Promise.all(
      candidates.map((t) =>
        limit(async () => {
          const fullName = t.full_name ?? `${catalog}.${schema}.${t.name}`;
          const columns = await this.columnsOf(fullName, t, signal).catch((error: unknown) => {
            if (!(error instanceof DatabricksAccessDeniedError)) throw error;
            // Without its columns the table cannot be classified: alarm only when it looks like
            // an agent table (an endpoint logs into it, or it is named like one); else just note it.
            if (endpointByTable.has(fullName.toLowerCase()) || AGENT_TABLE_NAME.test(t.name)) {
              unreadable.push({ fullName, error });
            } else {
              warnings.push(`table ${fullName} not describable: ${error.message}`);
            }
            return undefined;
          });
          return { fullName, kind: columns ? classifyTable(columns) : undefined, columns: columns ?? [] };
        }),
      ),
    );

    const tables: AgentTable[] = [];
    const unknownLayout: { fullName: string; columns: string[]; expected: boolean }[] = [];
    const agentsByEndpoint = new Map(endpoints.map((e) => [e.name, endpointAgentRef(e)]));
    // Databricks recommends the trace views over the raw span tables (whose schema may change):
    // a span table whose prefix also has a unified view is read through the view only.
    const views = new Set(
      classified
        .filter((c) => c.kind === "trace-view")
        .map((c) => c.fullName.replace(/_trace_unified$/i, "")),
    );
    const coveredByViews: string[] = [];
    for (const c of classified) {
      if (!c.kind) {
        const name = c.fullName.split(".").at(-1) ?? c.fullName;
        if (c.columns.length > 0 && !isAuxiliaryTable(name)) {
          const expected = endpointByTable.has(c.fullName.toLowerCase()) || AGENT_TABLE_NAME.test(name);
          unknownLayout.push({ fullName: c.fullName, columns: c.columns, expected });
        }
        continue;
      }
      if (c.kind === "trace" && views.has(c.fullName.replace(/_otel_spans$/i, ""))) {
        coveredByViews.push(c.fullName);
        continue;
      }
      const endpoint = endpointByTable.get(c.fullName.toLowerCase());
      tables.push({
        fullName: c.fullName,
        kind: c.kind,
        columns: c.columns,
        agent: endpoint
          ? endpointAgentRef(endpoint)
          : { endpoint: endpointNameFromTable(c.fullName, c.kind) },
        servedEntities: endpoint ? servedEntityRefs(endpoint) : new Map(),
        agentsByEndpoint,
      });
    }
    if (tables.length === 0 && unreadable.length === 0 && experiments.length === 0) {
      throw new NoAgentTablesError(
        prefix,
        `${catalog}.${schema}`,
        listed.map((t) => t.name),
      );
    }
    // Every agent table refused (typically SELECT revoked): reporting them as skipped would let the
    // cycle end with nothing read and exit 0, which cron and Akto record as success.
    if (tables.length === 0 && experiments.length === 0)
      throw new NoReadableAgentTablesError(`${catalog}.${schema}`, unreadable);

    const inScope = new Set(tables.map((t) => t.fullName.toLowerCase()));
    const agents: AgentInfo[] = [];
    for (const e of agentEndpoints) {
      agents.push({
        endpoint: e.name,
        task: e.task,
        ready: e.state?.ready,
        models: await this.modelsOf(e, warnings, signal),
        tables: endpointTables(e),
      });
    }
    const outOfScopeTables = [...endpointByTable.keys()].filter((t) => !inScope.has(t));
    const inventory: AgentInventory = {
      generatedAt: this.now(),
      workspace: this.options.workspace,
      catalog,
      schema,
      prefix,
      agents,
      tables: tables.map((t) => ({
        fullName: t.fullName,
        kind: t.kind,
        endpoint: endpointByTable.get(t.fullName.toLowerCase())?.name,
      })),
      outOfScopeTables,
      unknownLayoutTables: unknownLayout,
      coveredByViews,
      experiments: experiments.map((e) => e.experimentId),
      warnings,
    };
    for (const u of unreadable) warnings.push(u.error.message);
    return { inventory, tables, unreadable, experiments };
  }

  private async listEndpoints(warnings: string[], signal?: AbortSignal): Promise<ServingEndpoint[]> {
    try {
      const res = await this.rest.get<{ endpoints?: ServingEndpoint[] }>(
        "/api/2.0/serving-endpoints",
        {},
        signal,
      );
      return res.endpoints ?? [];
    } catch (error) {
      // Without endpoint access the tables can still be read; the agents just stay unnamed.
      if (error instanceof DatabricksApiError && (error.status === 403 || error.status === 404)) {
        warnings.push(
          `serving endpoints not listable (${error.status} ${error.errorCode}); agents inferred from tables`,
        );
        this.logger.warn(
          { status: error.status, errorCode: error.errorCode },
          "cannot list serving endpoints",
        );
        return [];
      }
      throw error;
    }
  }

  /** Every table of catalog.schema, without columns (cheap on large schemas). */
  private async listTables(signal?: AbortSignal): Promise<TableSummary[]> {
    const { catalog, schema } = this.options;
    const out: TableSummary[] = [];
    let pageToken: string | undefined;
    do {
      let page: { tables?: TableSummary[]; next_page_token?: string };
      try {
        page = await this.rest.get(
          `${UC}/tables`,
          {
            catalog_name: catalog,
            schema_name: schema,
            max_results: this.options.pageSize ?? 500,
            omit_columns: true,
            page_token: pageToken,
          },
          signal,
        );
      } catch (error) {
        throw this.mapCatalogError(error);
      }
      for (const t of page.tables ?? []) out.push(t);
      // Only the absence of a token ends the listing: pages may be short or empty.
      pageToken = page.next_page_token || undefined;
    } while (pageToken);
    return out;
  }

  private async columnsOf(
    fullName: string,
    summary: TableSummary,
    signal?: AbortSignal,
  ): Promise<string[] | undefined> {
    if (summary.columns) return summary.columns.map((c) => c.name);
    const cached = this.columnCache.get(fullName);
    if (cached && summary.updated_at !== undefined && cached.updatedAt === summary.updated_at) {
      return cached.columns;
    }
    try {
      const info = await this.rest.get<TableSummary>(
        `${UC}/tables/${encodeURIComponent(fullName)}`,
        {},
        signal,
      );
      const columns = (info.columns ?? []).map((c) => c.name);
      this.columnCache.set(fullName, { updatedAt: info.updated_at ?? summary.updated_at, columns });
      return columns;
    } catch (error) {
      if (error instanceof DatabricksApiError && error.status === 403) {
        throw accessDeniedFrom(error.message, { securable: "table", name: fullName }, error);
      }
      if (error instanceof DatabricksApiError && error.status === 404) return undefined; // dropped meanwhile

      throw error;
    }
  }

  private async modelsOf(e: ServingEndpoint, warnings: string[], signal?: AbortSignal): Promise<ModelInfo[]> {
    const served = new Map<string, Set<string>>();
    for (const s of servedEntitiesOf(e)) {
      const name = s.entity_name ?? s.model_name;
      // Only Unity Catalog models (catalog.schema.model); workspace-registry and foundation models are skipped.
      if (name?.split(".").length !== 3) continue;
      const versions = served.get(name!) ?? new Set<string>();
      const v = s.entity_version ?? s.model_version;
      if (v) versions.add(String(v));
      served.set(name!, versions);
    }
    const out: ModelInfo[] = [];
    for (const [fullName, servedVersions] of served) {
      const cached = this.modelCache.get(fullName);
      const ttl = this.options.modelCacheMs ?? 10 * 60_000;
      let info: ModelInfo;
      if (cached && this.now() - cached.at < ttl) {
        info = { ...cached.info, servedVersions: [...servedVersions] };
      } else {
        info = await this.readModel(fullName, [...servedVersions], warnings, signal);
        this.modelCache.set(fullName, { at: this.now(), info });
      }
      out.push(info);
    }
    return out;
  }

  private async readModel(
    fullName: string,
    servedVersions: string[],
    warnings: string[],
    signal?: AbortSignal,
  ): Promise<ModelInfo> {
    const path = `${UC}/models/${encodeURIComponent(fullName)}`;
    try {
      const model = await this.rest.get<{ aliases?: { alias_name: string; version_num: number | string }[] }>(
        path,
        { include_aliases: true },
        signal,
      );
      const versions: string[] = [];
      let pageToken: string | undefined;
      do {
        const page = await this.rest.get<{
          model_versions?: { version: number | string }[];
          next_page_token?: string;
        }>(`${path}/versions`, { max_results: 100, page_token: pageToken }, signal);
        for (const v of page.model_versions ?? []) versions.push(String(v.version));
        pageToken = page.next_page_token || undefined;
      } while (pageToken);
      versions.sort((a, b) => Number(b) - Number(a));
      const aliases = Object.fromEntries(
        (model.aliases ?? []).map((a) => [a.alias_name, String(a.version_num)]),
      );
      return { fullName, servedVersions, aliases, versions };
    } catch (error) {
      if (error instanceof DatabricksApiError && error.class === "fatal") {
        warnings.push(`model ${fullName} not readable (${error.status} ${error.errorCode})`);
        return { fullName, servedVersions, aliases: {}, versions: [] };
      }
      throw error;
    }
  }

  private mapCatalogError(error: unknown): unknown {
    if (!(error instanceof DatabricksApiError)) return error;
    const { catalog, schema } = this.options;
    if (error.status === 403) {
      return accessDeniedFrom(error.message, { securable: "catalog", name: catalog }, error);
    }
    if (error.status === 404) {
      const what =
        error.errorCode === "SCHEMA_DOES_NOT_EXIST"
          ? `schema '${catalog}.${schema}'`
          : `catalog '${catalog}'`;
      return new DatabricksApiError(404, error.errorCode, `${what} does not exist`, error.endpoint, {
        cause: error,
      });
    }
    return error;
  }
}

/**
 * The MLflow experiments agent endpoints trace into: agents deployed with tracing carry
 * MLFLOW_EXPERIMENT_ID in their served entity's environment (docs/databricks-surfaces.md).
 */
function tracedExperiments(endpoints: readonly ServingEndpoint[]): TracedExperiment[] {
  const out = new Map<string, TracedExperiment>();
  for (const e of endpoints) {
    for (const s of servedEntitiesOf(e)) {
      const id = s.environment_vars?.MLFLOW_EXPERIMENT_ID;
      if (id && /^\w+$/.test(id) && !out.has(id))
        out.set(id, { experimentId: id, agent: endpointAgentRef(e) });
    }
  }
  return [...out.values()];
}

function servedEntitiesOf(e: ServingEndpoint): ServedEntity[] {
  return [...(e.config?.served_entities ?? []), ...(e.config?.served_models ?? [])];
}

/** Inference tables an endpoint logs into, as lower-case-insensitive full names. */
export function endpointTables(e: ServingEndpoint): string[] {
  const out: string[] = [];
  const gw = e.ai_gateway?.inference_table_config;
  if (gw?.enabled !== false && gw?.catalog_name && gw.schema_name) {
    out.push(`${gw.catalog_name}.${gw.schema_name}.${gw.table_name_prefix ?? e.name}_payload`);
  }
  const legacy = e.config?.auto_capture_config;
  if (legacy?.enabled !== false && legacy?.catalog_name && legacy.schema_name) {
    const table = legacy.state?.payload_table?.name ?? `${legacy.table_name_prefix ?? e.name}_payload`;
    out.push(`${legacy.catalog_name}.${legacy.schema_name}.${table}`);
  }
  return out;
}

function endpointAgentRef(e: ServingEndpoint): AgentRef {
  const entities = servedEntitiesOf(e);
  // With a single served entity every row belongs to it; with several, rows say which (served_entity_id).
  const only = entities.length === 1 ? entities[0] : undefined;
  return compactRef({
    endpoint: e.name,
    task: e.task,
    model: only?.entity_name ?? only?.model_name,
    modelVersion: only?.entity_version ?? only?.model_version,
  });
}

function servedEntityRefs(e: ServingEndpoint): Map<string, AgentRef> {
  const out = new Map<string, AgentRef>();
  for (const s of servedEntitiesOf(e)) {
    const ref = compactRef({
      endpoint: e.name,
      task: e.task,
      model: s.entity_name ?? s.model_name,
      modelVersion: (s.entity_version ?? s.model_version)?.toString(),
    });
    if (s.id) out.set(s.id, ref);
    if (s.name) out.set(s.name, ref);
  }
  return out;
}

function compactRef(ref: {
  endpoint: string;
  task?: string;
  model?: string;
  modelVersion?: string;
}): AgentRef {
  const out: AgentRef = { endpoint: ref.endpoint };
  if (ref.task) out.task = ref.task;
  if (ref.model) out.model = ref.model;
  if (ref.modelVersion) out.modelVersion = String(ref.modelVersion);
  return out;
}

/** Databricks names inference tables after the endpoint by default: "{endpoint}_payload". */
export function endpointNameFromTable(fullName: string, kind: TableKind): string {
  const table = fullName.split(".").at(-1) ?? fullName;
  const suffix = kind === "trace" ? /_otel_spans$/ : kind === "trace-view" ? /_trace_unified$/ : /_payload$/;
  return table.replace(suffix, "") || table;
}
