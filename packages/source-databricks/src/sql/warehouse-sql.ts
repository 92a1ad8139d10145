import { setTimeout as delay } from "node:timers/promises";
import { DBSQLClient, DBSQLParameter, DBSQLParameterType, LogLevel } from "@databricks/sql";
import type { Logger } from "@pipekit/core";
import { backoffDelay, type RetryPolicy } from "@pipekit/core/advanced";
import type { AccessTokenProvider } from "../auth/token-provider.js";
import { DatabricksAuthError, DatabricksConnectionError } from "../errors/errors.js";
import { describeNetworkError } from "../http/http-client.js";

type DriverSession = Awaited<ReturnType<DBSQLClient["openSession"]>>;
type DriverOperation = Awaited<ReturnType<DriverSession["executeStatement"]>>;

export type SqlParam = string | number | bigint | Date;

export interface WarehouseSqlOptions {
  /** Host name without scheme (the driver forces HTTPS). */
  readonly host: string;
  readonly port?: number;
  readonly httpPath: string;
  readonly tokens: AccessTokenProvider;
  readonly caCert?: string;
  /** Let the warehouse answer large results with cloud-fetch links (see the source's `cloudFetch`). */
  readonly cloudFetch?: boolean;
  readonly catalog: string;
  readonly schema: string;
  readonly logger: Logger;
  /** Socket timeout of the Thrift transport. */
  readonly socketTimeoutMs?: number;
  /** Retries of opening a session or starting a statement when the warehouse is busy (429/5xx) or unreachable. */
  readonly startRetry?: RetryPolicy;
}

/**
 * The driver retries only Thrift calls it deems idempotent, so a throttled OpenSession or
 * ExecuteStatement would end the cycle. Starting again is safe; fetching again is not (the server's
 * cursor may already have moved), so only starts are retried here.
 */
const DEFAULT_START_RETRY: RetryPolicy = {
  maxAttempts: 5,
  initialDelayMs: 500,
  maxDelayMs: 5_000,
  maxElapsedMs: 30_000,
};
const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);

/**
 * One driver client + session on the SQL warehouse. Tokens reach the driver through a custom
 * auth provider that asks our token provider on every Thrift call, so a token refreshed (or
 * replaced after a rejection) in the middle of a result set is picked up by the next fetch.
 */
export class WarehouseSql {
  private client: DBSQLClient | undefined;
  private session: DriverSession | undefined;
  private opening: Promise<DriverSession> | undefined;
  /** The token the driver sent last: dropped from the provider if the warehouse rejects it. */
  private lastToken: string | undefined;

  constructor(private readonly options: WarehouseSqlOptions) {}

  /**
   * Runs `sql` and yields its rows chunk by chunk. The statement is executed on the first pull and
   * each further chunk is fetched only when the caller pulls again, so at most one chunk is held.
   */
  async *query(
    sql: string,
    params: Record<string, SqlParam>,
    chunkRows: number,
  ): AsyncGenerator<Record<string, unknown>[], void, undefined> {
    const namedParameters = Object.fromEntries(
      Object.entries(params).map(([k, v]) => [
        k,
        v instanceof Date
          ? new DBSQLParameter({ type: DBSQLParameterType.TIMESTAMP, value: v })
          : new DBSQLParameter({ value: v }),
      ]),
    );
    const operation = await this.withStartRetry(() =>
      this.withAuthRetry(async () => {
        const session = await this.openSession();
        // maxRows bounds the rows the server may put in the execute response itself (direct results).
        return session.executeStatement(sql, {
          namedParameters,
          maxRows: chunkRows,
          useCloudFetch: this.options.cloudFetch ?? false,
        });
      }),
    );
    try {
      while (true) {
        const rows = await this.fetchChunk(operation, chunkRows);
        if (rows.length > 0) yield rows;
        if (!(await operation.hasMoreRows())) break;
      }
    } finally {
      await closeQuietly(operation);
    }
  }

  async close(): Promise<void> {
    const session = this.session;
    const client = this.client;
    this.session = undefined;
    this.client = undefined;
    this.opening = undefined;
    await session?.close().catch(() => undefined);
    await client?.close().catch(() => undefined);
  }

  private async openSession(): Promise<DriverSession> {
    if (this.session) return this.session;
    this.opening ??= this.connect().catch((error: unknown) => {
      this.opening = undefined;
      throw error;
    });
    this.session = await this.opening;
    return this.session;
  }

  private async connect(): Promise<DriverSession> {
    const { logger } = this.options;
    const client = new DBSQLClient({
      logger: {
        // The driver's own chatter is debug noise for us; failures surface as thrown errors.
        log: (level: LogLevel, message: string) => {
          if (level === LogLevel.error || level === LogLevel.warn) logger.debug({ driver: level }, message);
        },
      },
    });
    this.client = client;
    try {
      await client.connect({
        host: this.options.host,
        port: this.options.port ?? 443,
        path: this.options.httpPath,
        authType: "custom",
        provider: {
          authenticate: async () => {
            const token = await this.options.tokens.getToken();
            this.lastToken = token;
            return { Authorization: `Bearer ${token}` };
          },
        },
        customCaCert: this.options.caCert,
        telemetryEnabled: false,
        socketTimeout: this.options.socketTimeoutMs ?? 120_000,
        // The driver's defaults retry for up to 15 minutes; a cycle should fail fast and be rescheduled.
        retryMaxAttempts: 3,
        retriesTimeout: 30_000,
        retryDelayMin: 200,
        retryDelayMax: 2_000,
      });
      return await client.openSession({
        initialCatalog: this.options.catalog,
        initialSchema: this.options.schema,
      });
    } catch (error) {
      // A failed connect leaves nothing open for the next attempt to trip over.
      this.client = undefined;
      await client.close().catch(() => undefined);
      throw this.mapError(error);
    }
  }

  private async withStartRetry<T>(start: () => Promise<T>): Promise<T> {
    const policy = this.options.startRetry ?? DEFAULT_START_RETRY;
    const startedAt = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await start();
      } catch (error) {
        const status = httpStatusOf(error);
        const transient = status !== undefined ? TRANSIENT_STATUS.has(status) : isNetworkError(error);
        const wait = backoffDelay(policy, attempt, Math.random);
        if (
          !transient ||
          attempt >= policy.maxAttempts ||
          Date.now() - startedAt + wait > policy.maxElapsedMs
        ) {
          throw error;
        }
        this.options.logger.warn(
          { attempt, delayMs: wait, reason: status !== undefined ? `HTTP ${status}` : "network error" },
          `SQL warehouse ${this.options.httpPath} busy or unreachable; starting the statement again`,
        );
        await delay(wait);
      }
    }
  }

  /**
   * The next chunk of a result. A rejected token is replaced and the fetch repeated only for
   * column-based results, which resume where they stopped. With Arrow and cloud-fetch results the
   * driver (2.1.0) has already taken the batch it was returning when its read-ahead of the next
   * batch fails, so repeating the fetch would skip rows: the statement is run again instead (as a
   * connection failure, which makes the reader read the table again and suppress what it emitted).
   */
  private async fetchChunk(
    operation: DriverOperation,
    chunkRows: number,
  ): Promise<Record<string, unknown>[]> {
    const fetch = async () =>
      (await operation.fetchChunk({ maxRows: chunkRows, disableBuffering: true })) as Record<
        string,
        unknown
      >[];
    try {
      return await fetch();
    } catch (error) {
      const status = httpStatusOf(error);
      if (status !== 401 && status !== 403) throw this.mapError(error);
      if (this.lastToken) this.options.tokens.invalidate(this.lastToken);
      if (!(await resumesAfterFailure(operation))) {
        throw new DatabricksConnectionError(
          this.options.host,
          "the SQL warehouse rejected the access token in the middle of an Arrow result, which cannot be resumed",
          { cause: error },
        );
      }
      try {
        return await fetch();
      } catch (second) {
        throw this.mapError(second);
      }
    }
  }

  /** One retry after the warehouse rejected the token (expired or revoked): a fresh one is fetched. */
  private async withAuthRetry<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (httpStatusOf(error) !== 401 && httpStatusOf(error) !== 403) throw this.mapError(error);
      if (this.lastToken) this.options.tokens.invalidate(this.lastToken);
      try {
        return await call();
      } catch (second) {
        throw this.mapError(second);
      }
    }
  }

  /** Driver errors → ours where a person can act; SQL errors pass through for the caller to judge. */
  mapError(error: unknown): unknown {
    if (error instanceof DatabricksAuthError || error instanceof DatabricksConnectionError) return error;
    const status = httpStatusOf(error);
    if (status === 401 || status === 403) {
      return new DatabricksAuthError("the SQL warehouse rejected the access token", { cause: error });
    }
    if (status !== undefined && status >= 400) {
      return new DatabricksConnectionError(
        this.options.host,
        `SQL warehouse ${this.options.httpPath} answered HTTP ${status}`,
        { cause: error },
      );
    }
    if (isNetworkError(error)) {
      return new DatabricksConnectionError(this.options.host, describeNetworkError(error), { cause: error });
    }
    const download = cloudFetchFailure(error);
    if (download) return new DatabricksConnectionError(this.options.host, download, { cause: error });
    return error;
  }
}

/** Whether a failed fetch can simply be repeated: only column-based results have no read-ahead. */
async function resumesAfterFailure(operation: DriverOperation): Promise<boolean> {
  try {
    // ResultFormat.ColumnBased (the enum is not exported from the driver's index).
    return String((await operation.getResultMetadata()).resultFormat) === "COLUMN_BASED";
  } catch {
    return false;
  }
}

async function closeQuietly(operation: DriverOperation): Promise<void> {
  try {
    await operation.close();
  } catch {
    // Closing is best effort: the server expires abandoned operations.
  }
}

function httpStatusOf(error: unknown): number | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const status = (e as { statusCode?: unknown }).statusCode;
    if (typeof status === "number") return status;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * A result file of a cloud-fetch (URL_BASED_SET) result could not be downloaded: its presigned link
 * expired before the driver got to it (@databricks/sql 2.1.0 checks `expiryTime` and throws; it
 * never asks the warehouse for fresh links), or the storage refused it. Fetching cannot be resumed,
 * so this is reported as a connection failure: the reader runs the statement again, which issues
 * fresh links, and rows it already emitted come back as suppressed duplicates.
 */
function cloudFetchFailure(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : "";
  if (/CloudFetch link has expired/i.test(message)) {
    return "a cloud-fetch result link expired before it was downloaded";
  }
  const status = /CloudFetch HTTP error (\d{3})/i.exec(message);
  if (status) return `a cloud-fetch result file could not be downloaded (HTTP ${status[1]})`;
  return undefined;
}

const NETWORK_CODES =
  /^(E[A-Z]+|UND_ERR_[A-Z_]+|ERR_TLS_[A-Z_]+|CERT_[A-Z_]+|UNABLE_TO_[A-Z_]+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)$/;

function isNetworkError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.test(code)) return true;
    if (e instanceof Error && /socket hang up|ECONNREFUSED|ENOTFOUND|certificate/i.test(e.message))
      return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
