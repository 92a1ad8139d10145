import { z } from "zod";

/**
 * Source configuration. Field names mirror the Akto connector's environment variables
 * (DATABRICKS_HOST, DATABRICKS_CLIENT_ID, DATABRICKS_CLIENT_SECRET, DATABRICKS_CATALOG,
 * DATABRICKS_SCHEMA, DATABRICKS_PREFIX) so the runner can map them one to one.
 */
export const databricksSourceConfigSchema = z
  .object({
    /** Workspace URL, e.g. "https://adb-123.4.azuredatabricks.net" (scheme optional). */
    host: z.string().min(1, "host is required (DATABRICKS_HOST)"),
    /** Service principal application id (OAuth M2M). */
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    /** Personal access token: the alternative to clientId/clientSecret. */
    token: z.string().min(1).optional(),
    catalog: z.string().min(1).default("workspace"),
    schema: z.string().min(1).default("default"),
    /** Only tables whose names start with this prefix are considered. */
    prefix: z.string().default(""),
    /** SQL warehouse to query; discovered (first RUNNING one) when absent. */
    warehouseId: z.string().min(1).optional(),
    /** HTTP path of the warehouse; derived from warehouseId when absent. */
    httpPath: z.string().min(1).optional(),
    lookBackMinutes: z.number().positive().default(60),
    /** Rows younger than this are left for the next cycle: payload logging is asynchronous. */
    safetyLagSeconds: z.number().min(0).default(30),
    /** Rows per fetched chunk (one SourceChunk per chunk). */
    chunkRows: z.number().int().positive().default(2_000),
    /** Tables read at the same time (at most this many open result sets). */
    tableConcurrency: z.number().int().positive().default(2),
    /**
     * Let the warehouse answer large results with cloud-fetch links (presigned files). Off by default:
     * the driver then downloads up to 10 result files ahead of what the pipeline has asked for, so
     * memory follows the warehouse's file sizes instead of `chunkRows` and the in-flight budget
     * (bench/e2e.ts, 1M rows: peak RSS 331 MB with cloud fetch). Results still come as Arrow with LZ4,
     * paged through the statement. Turn it on for very large windows where download speed matters more.
     */
    cloudFetch: z.boolean().default(false),
    /** PEM of an extra CA to trust (on-prem proxies, the test emulator). */
    caCert: z.string().min(1).optional(),
    /**
     * Bound, in bytes, on the memory of one table's delivered-id state (about 16 bytes per id, so the
     * default 64 MiB holds ~4 million ids; stored, each id takes 8 bytes). Over it the oldest minutes
     * of the window stop catching late rows (logged, metric databricks_source_state_floor_raised_total).
     */
    maxDeliveredStateBytesPerTable: z
      .number()
      .int()
      .min(64 * 1024)
      .default(64 * 2 ** 20),
    /**
     * How far back a table's read may start when an earlier window was never finished (sinks down
     * longer than the look-back, a `-once` deadline): rows older than this are not read again.
     */
    maxBacklogMinutes: z
      .number()
      .positive()
      .default(24 * 60),
    /** A checkpoint is attached at least every this many rows of a table (and at its end). */
    checkpointEveryRows: z.number().int().positive().default(2_000),
    /** Bounded retries of REST calls on 429/503/network errors. */
    restMaxRetries: z.number().int().min(0).default(4),
    /** Per-request timeout for REST calls. */
    requestTimeoutMs: z.number().int().positive().default(30_000),
  })
  .refine((c) => Boolean(c.token) || (Boolean(c.clientId) && Boolean(c.clientSecret)), {
    message:
      "set clientId and clientSecret (DATABRICKS_CLIENT_ID / DATABRICKS_CLIENT_SECRET) or token (DATABRICKS_TOKEN)",
    path: ["clientId"],
  });

export type DatabricksSourceConfig = z.output<typeof databricksSourceConfigSchema>;
export type DatabricksSourceConfigInput = z.input<typeof databricksSourceConfigSchema>;

/** Fields never echoed in logs, errors or metrics. */
export const DATABRICKS_SECRET_FIELDS = ["clientSecret", "token"] as const;

/** "https://host/" or "host" → "https://host" (no trailing slash). */
export function normaliseHostUrl(host: string): string {
  const withScheme = /^https?:\/\//i.test(host) ? host : `https://${host}`;
  return withScheme.replace(/\/+$/, "");
}

/** The host part without scheme, e.g. for AgentExecution.workspace. */
export function hostName(host: string): string {
  return new URL(normaliseHostUrl(host)).host;
}
