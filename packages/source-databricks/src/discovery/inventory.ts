import type { AgentRef } from "@pipekit/agent-execution";
import type { TableKind } from "./classify-table.js";

/** A Unity Catalog registered model behind an agent endpoint. */
export interface ModelInfo {
  readonly fullName: string;
  /** The version(s) the endpoint serves. */
  readonly servedVersions: readonly string[];
  /** alias → version, e.g. { champion: "3" }. */
  readonly aliases: Readonly<Record<string, string>>;
  /** Every version Unity Catalog knows, newest first (empty when it could not be read). */
  readonly versions: readonly string[];
}

export interface AgentInfo {
  readonly endpoint: string;
  readonly task: string | undefined;
  readonly ready: string | undefined;
  readonly models: readonly ModelInfo[];
  /** Inference tables configured on the endpoint (full names), read or not. */
  readonly tables: readonly string[];
}

/** A table the source reads each cycle. */
export interface AgentTable {
  readonly fullName: string;
  readonly kind: TableKind;
  readonly columns: readonly string[];
  /** The agent rows belong to when a row does not say otherwise. */
  readonly agent: AgentRef;
  /** served_entity_id / served entity name → the agent ref it stands for (AI Gateway tables). */
  readonly servedEntities: ReadonlyMap<string, AgentRef>;
  /**
   * Serving endpoint name → its agent ref: trace tables hold many agents' traces, each naming its
   * endpoint (service_name, resource attributes, trace metadata).
   */
  readonly agentsByEndpoint?: ReadonlyMap<string, AgentRef>;
}

/** What discovery found in one cycle: reported as-is to logs and via the source's `inventory()`. */
export interface AgentInventory {
  readonly generatedAt: number;
  readonly workspace: string;
  readonly catalog: string;
  readonly schema: string;
  readonly prefix: string;
  readonly agents: readonly AgentInfo[];
  readonly tables: readonly {
    readonly fullName: string;
    readonly kind: TableKind;
    readonly endpoint: string | undefined;
  }[];
  /** Endpoint tables configured outside catalog.schema or filtered out by the prefix (not read). */
  readonly outOfScopeTables: readonly string[];
  /** Tables matching the prefix whose columns fit no known layout (not read): named with their columns. */
  readonly unknownLayoutTables?: readonly {
    readonly fullName: string;
    readonly columns: readonly string[];
    /** An endpoint logs into it or it is named like an execution table: likely a layout we lack. */
    readonly expected: boolean;
  }[];
  /** MLflow experiments whose traces are read over REST (agent endpoints' MLFLOW_EXPERIMENT_ID). */
  readonly experiments?: readonly string[];
  /** Trace span tables read through their `{prefix}_trace_unified` view instead. */
  readonly coveredByViews?: readonly string[];
  /** Non-fatal problems (a model that could not be read, endpoints not listable…). */
  readonly warnings: readonly string[];
}
