import { MAX_TRANSFORM_WORKERS } from "@pipekit/runner/cli";
import { z } from "zod";

/**
 * The environment of Akto's `databricks-shield` binary (same names and defaults, so this binary is a
 * drop-in), plus a few optional extras of ours. Parsed with zod so a bad value names the variable.
 */
const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));
const positiveNumber = (name: string, fallback: number) =>
  optional.transform((v, ctx) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) {
      ctx.addIssue({ code: "custom", message: `${name} must be a positive number, found "${v}"` });
      return z.NEVER;
    }
    return n;
  });

export const shieldEnvSchema = z.object({
  DATABRICKS_HOST: optional,
  DATABRICKS_CLIENT_ID: optional,
  DATABRICKS_CLIENT_SECRET: optional,
  /** Personal access token: the alternative to the service principal. */
  DATABRICKS_TOKEN: optional,
  DATABRICKS_CATALOG: optional.transform((v) => v ?? "workspace"),
  DATABRICKS_SCHEMA: optional.transform((v) => v ?? "default"),
  DATABRICKS_PREFIX: optional.transform((v) => v ?? ""),
  DATABRICKS_WAREHOUSE_ID: optional,
  /** PEM file of a CA to trust for the workspace (private CAs, the local emulator). */
  DATABRICKS_CA_CERT_FILE: optional,
  DATABRICKS_LOOKBACK_MINUTES: positiveNumber("DATABRICKS_LOOKBACK_MINUTES", 60),
  DATA_INGESTION_SERVICE_URL: optional,
  KAFKA_BROKER_HOST: optional,
  KAFKA_TOPIC: optional.transform((v) => v ?? "akto.api.logs"),
  AKTO_JWT_TOKEN: optional,
  AKTO_ACCOUNT_ID: optional.transform((v) => v ?? "1000000"),
  AKTO_JOB_ID: optional,
  RECURRING_INTERVAL_SECONDS: positiveNumber("RECURRING_INTERVAL_SECONDS", 300),
  /**
   * `-once`: stop reading this many seconds after the start, then drain (SHIELD_DRAIN_TIMEOUT_SECONDS)
   * and exit. Akto's job runner kills the connector at 300 s; 240 + 30 leaves margin for closing.
   */
  SHIELD_ONCE_DEADLINE_SECONDS: positiveNumber("SHIELD_ONCE_DEADLINE_SECONDS", 240),
  /** How long a stop (SIGTERM, or the -once deadline) waits for in-flight records. */
  SHIELD_DRAIN_TIMEOUT_SECONDS: positiveNumber("SHIELD_DRAIN_TIMEOUT_SECONDS", 30),
  /** Where checkpoints and dead letters live between runs. */
  SHIELD_STATE_DIR: optional.transform((v) => v ?? ".databricks-shield"),
  /** Also (or only) write the Akto records to this JSON-lines file. */
  SHIELD_OUTPUT_FILE: optional,
  /** `off` turns redaction off explicitly; anything else keeps it on. */
  SHIELD_REDACTION: optional.transform((v) => (v ?? "on").toLowerCase()),
  /** Key for stable HMAC pseudonyms instead of masks. */
  SHIELD_REDACTION_HMAC_KEY: optional,
  SHIELD_HTTP_PORT: optional.transform((v) => (v === undefined ? undefined : Number(v))),
  /**
   * Worker threads that run redaction and the Akto mapping (the pipeline's `transformWorkers`);
   * 0, the default, runs them on the main thread. Worth it with cores to spare: see the README.
   */
  SHIELD_TRANSFORM_WORKERS: optional.transform((v) => (v === undefined ? 0 : Number(v))),
  /**
   * Scale-out: brokers ("host:port,…") of the Kafka cluster that coordinates several instances.
   * Set, it turns cluster mode on: tables are shared out by a consumer group and checkpoints live
   * in a compacted topic instead of SHIELD_STATE_DIR.
   */
  SHIELD_CLUSTER_BROKERS: optional,
  SHIELD_CLUSTER_GROUP: optional.transform((v) => v ?? "databricks-shield"),
  SHIELD_CLUSTER_COORDINATION_TOPIC: optional,
  SHIELD_CLUSTER_CHECKPOINT_TOPIC: optional,
  SHIELD_CLUSTER_SHARDS: optional.transform((v) => (v === undefined ? undefined : Number(v))),
  SHIELD_CLUSTER_SESSION_TIMEOUT_MS: optional.transform((v) => (v === undefined ? undefined : Number(v))),
});

export type ShieldSettings = z.output<typeof shieldEnvSchema>;

export class ShieldConfigError extends Error {
  override readonly name = "ShieldConfigError";
}

/** Reads and checks the environment; every problem at once, each naming its variable. */
export function readShieldSettings(env: Readonly<Record<string, string | undefined>>): ShieldSettings {
  const parsed = shieldEnvSchema.safeParse(env);
  const problems: string[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => (i.path.length ? `${String(i.path[0])}: ${i.message}` : i.message));
  const s = parsed.success ? parsed.data : undefined;
  if (s) {
    if (!s.DATABRICKS_HOST) problems.push("DATABRICKS_HOST is not set (your workspace URL)");
    const hasOAuth = s.DATABRICKS_CLIENT_ID && s.DATABRICKS_CLIENT_SECRET;
    if (!hasOAuth && !s.DATABRICKS_TOKEN) {
      problems.push(
        "set DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET (service principal), or DATABRICKS_TOKEN",
      );
    }
    if (!s.DATA_INGESTION_SERVICE_URL && !s.KAFKA_BROKER_HOST && !s.SHIELD_OUTPUT_FILE) {
      problems.push("nowhere to send traffic: set DATA_INGESTION_SERVICE_URL and/or KAFKA_BROKER_HOST");
    }
    if (
      s.SHIELD_HTTP_PORT !== undefined &&
      !(Number.isInteger(s.SHIELD_HTTP_PORT) && s.SHIELD_HTTP_PORT >= 0 && s.SHIELD_HTTP_PORT < 65536)
    ) {
      problems.push("SHIELD_HTTP_PORT must be a port number");
    }
    const workers = s.SHIELD_TRANSFORM_WORKERS;
    if (!(Number.isInteger(workers) && workers >= 0 && workers <= MAX_TRANSFORM_WORKERS)) {
      problems.push(
        `SHIELD_TRANSFORM_WORKERS must be a whole number from 0 to ${MAX_TRANSFORM_WORKERS}, found "${env.SHIELD_TRANSFORM_WORKERS}"`,
      );
    }
    if (
      s.SHIELD_CLUSTER_SHARDS !== undefined &&
      !(Number.isInteger(s.SHIELD_CLUSTER_SHARDS) && s.SHIELD_CLUSTER_SHARDS >= 1)
    ) {
      problems.push("SHIELD_CLUSTER_SHARDS must be a whole number of at least 1");
    }
    if (
      s.SHIELD_CLUSTER_SESSION_TIMEOUT_MS !== undefined &&
      !(Number.isInteger(s.SHIELD_CLUSTER_SESSION_TIMEOUT_MS) && s.SHIELD_CLUSTER_SESSION_TIMEOUT_MS >= 1000)
    ) {
      problems.push(
        "SHIELD_CLUSTER_SESSION_TIMEOUT_MS must be a whole number of milliseconds, at least 1000",
      );
    }
  }
  if (problems.length > 0 || !s) {
    throw new ShieldConfigError(
      `databricks-shield is not configured:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
  return s;
}
