import type { Principal } from "../auth/principals.js";
import type { TokenService } from "../auth/token-service.js";
import type { Metastore } from "../catalog/metastore.js";
import type { FaultInjector } from "../faults/faults.js";
import type { Grants } from "../permissions/grants.js";
import type { SeedManifest, SeedSurface } from "../seed/manifest.js";
import type { ResultFormatOption } from "../sql/result-delivery.js";
import type { ResultLinkStats } from "../sql/result-links.js";
import type { WarehouseStats } from "../sql/warehouse.js";
import type { TrustingFetch } from "../tls/trusting-fetch.js";

export interface WorkspaceEmulatorOptions {
  /** PRNG seed: same seed, same workspace. Default 42. */
  seed?: number;
  /** Rows per payload table (10 … 1,000,000). Default 200. */
  rowsPerTable?: number;
  /** Agents per task type (ChatAgent, ResponsesAgent, chat completions). Default 2. */
  agents?: number;
  /** The "now" request times are spread back from (epoch ms). Default: Date.now() at start. */
  now?: number;
  /** Request times fall in [now − windowMinutes, now). Default 60. */
  windowMinutes?: number;
  /** Access-token lifetime for OAuth M2M tokens. Default 3600. */
  tokenTtlSeconds?: number;
  /** Page size of UC list endpoints and trace search. Default 50. */
  pageSize?: number;
  /** Serve one empty page (with a next_page_token) before the last page of a listing. Default true. */
  emptyPages?: boolean;
  /** Catalog and schema the agents live in. Default "workspace" / "default". */
  catalog?: string;
  schema?: string;
  /** Tables with more rows only list counts in the manifest. Default 50,000. */
  manifestRowLimit?: number;
  /**
   * Execution surfaces seeded beyond the default payload tables (each changes what a full read
   * finds, so each is opt-in): "ai-gateway-beta" (an endpoint whose table has the AI Gateway (Beta)
   * layout), "uc-traces-v1" / "uc-traces-v2" (MLflow 3 traces in Unity Catalog, v2 with views),
   * "experiment-traces" (agent endpoints advertise MLFLOW_EXPERIMENT_ID; their REST traces carry
   * span data behind presigned links).
   */
  surfaces?: readonly SeedSurface[];
  /** Traces per agent endpoint in each UC trace table. Default 12. */
  tracesPerTable?: number;
  /** MLflow traces per agent endpoint. Default 20. */
  tracesPerAgent?: number;
  /** Port to listen on (127.0.0.1). Default 0: a random free port. */
  port?: number;
  /**
   * How the SQL warehouse sends results. Default "auto": what a warehouse does for what the client
   * asks (Arrow, LZ4 when offered, cloud-fetch links for large results when downloads are offered).
   * "columns", "arrow", "arrow-lz4" and "cloud-fetch" force one encoding (see ResultFormatOption).
   */
  resultFormat?: ResultFormatOption;
  /** Auto: results at least this large (estimated bytes) go by cloud fetch. Default 8 MiB. */
  cloudFetchThresholdBytes?: number;
  /** Target size of one cloud-fetch file (estimated bytes). Default 4 MiB. */
  cloudFetchFileBytes?: number;
  /** Lifetime of a cloud-fetch link. Default 15 minutes. */
  cloudFetchLinkTtlMs?: number;
}

export interface WorkspaceEmulator {
  /** "https://127.0.0.1:PORT" */
  readonly url: string;
  /** "127.0.0.1:PORT": what DATABRICKS_HOST holds without a scheme. */
  readonly host: string;
  /** "127.0.0.1" and the port separately, as the SQL driver's connect() wants them. */
  readonly hostname: string;
  readonly port: number;
  /** The CA certificate (PEM) to trust, and a file holding it (removed on close). */
  readonly caPem: string;
  readonly caFile: string;
  readonly warehouseId: string;
  /** "/sql/1.0/warehouses/<id>" */
  readonly httpPath: string;
  /** The connector's service principal: full read grants on the seeded catalog.schema. */
  readonly credentials: { clientId: string; clientSecret: string; pat: string };
  /** Every principal by name (see PRINCIPALS): admin, connector, partial grants, none. */
  readonly principals: Readonly<Record<string, Principal>>;
  readonly manifest: SeedManifest;
  readonly faults: FaultInjector;
  readonly grants: Grants;
  readonly tokens: TokenService;
  readonly metastore: Metastore;
  readonly stats: WarehouseStats;
  /** Cloud-fetch links issued, downloaded, issued expired and refused. */
  readonly resultLinks: ResultLinkStats;
  /** A fetch that trusts the emulator's CA (closed with the emulator). */
  readonly fetch: TrustingFetch;
  /**
   * Inserts rows with request_time = now − minutesAgo (default 20) into a payload table, late traces
   * into a UC trace table (its name), or into an experiment's REST traces ("mlflow-experiment:<id>").
   */
  insertLateRows(
    count: number,
    options?: { table?: string; minutesAgo?: number; now?: number },
  ): Promise<{ id: string; requestTime: number }[]>;
  /** Runs SQL directly on the embedded engine (no grants); Databricks backticks are accepted. */
  sql(query: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}
