import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AktoIngestionEmulator, startAktoIngestionEmulator } from "@pipekit/testkit-akto";
import { startWorkspaceEmulator, type WorkspaceEmulator } from "@pipekit/testkit-databricks";
import { Kafka, logLevel } from "kafkajs";

export interface E2eStackOptions {
  /** A running broker (the vitest global one, or one the caller started). */
  readonly kafkaBootstrap: string;
  /** Default: a fresh topic name per stack, so stacks sharing a broker never see each other's records. */
  readonly topic?: string;
  readonly partitions?: number;
  readonly seed?: number;
  readonly rowsPerTable?: number;
  /** Agents per task type (each brings one payload table). Default 1. */
  readonly agents?: number;
}

export interface E2eStack {
  readonly ws: WorkspaceEmulator;
  readonly akto: AktoIngestionEmulator;
  readonly kafkaBootstrap: string;
  readonly topic: string;
  readonly aktoToken: string;
  /** SHIELD_STATE_DIR: checkpoints.json, dead-letters.jsonl, pipeline.yaml. */
  readonly stateDir: string;
  readonly checkpointFile: string;
  readonly deadLetterFile: string;
  /** Akto's databricks-shield environment for this stack (add SHIELD_* extras per test). */
  readonly env: Readonly<Record<string, string>>;
  /** Payload tables the connector reads (full names). */
  readonly payloadTables: readonly string[];
  /** Executions that must reach both sinks: seeded well-formed rows plus rows added since. */
  expectedIds(): string[];
  /** Seeded rows that must be dead-lettered (request is not valid JSON). */
  malformedIds(): string[];
  /** Inserts rows `minutesAgo` back into a payload table and expects them delivered. */
  addRows(count: number, options: { table: string; minutesAgo: number }): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * The world a connector run needs, in this process: the Databricks workspace emulator (HTTPS, OAuth,
 * SQL warehouse), the Akto ingestion emulator and a topic on a real Kafka broker. Every seeded row
 * lies 2–52 minutes back: inside the 60-minute look-back, clear of the 30-second safety lag.
 */
export async function startE2eStack(options: E2eStackOptions): Promise<E2eStack> {
  const aktoToken = "eyJhbGciOiJIUzI1NiJ9.e2e-stack-jwt.c2lnbmF0dXJl";
  const topic =
    options.topic ?? `akto.api.logs.e2e-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const ws = await startWorkspaceEmulator({
    seed: options.seed ?? 8,
    rowsPerTable: options.rowsPerTable ?? 100,
    agents: options.agents ?? 1,
    now: Date.now() - 120_000,
    windowMinutes: 50,
  });
  let akto: AktoIngestionEmulator | undefined;
  let stateDir: string | undefined;
  try {
    akto = await startAktoIngestionEmulator({ token: aktoToken });
    await createTopic(options.kafkaBootstrap, topic, options.partitions ?? 3);
    stateDir = mkdtempSync(join(tmpdir(), "pipekit-e2e-"));
  } catch (error) {
    await akto?.close();
    await ws.close();
    throw error;
  }
  const payload = ws.manifest.tables.filter(
    (t) => t.kind === "ai_gateway_payload" || t.kind === "legacy_payload",
  );
  const seeded = payload.flatMap((t) => t.rows ?? []);
  const added: string[] = [];
  const dir = stateDir;
  const aktoEmulator = akto;
  return {
    ws,
    akto: aktoEmulator,
    kafkaBootstrap: options.kafkaBootstrap,
    topic,
    aktoToken,
    stateDir: dir,
    checkpointFile: join(dir, "checkpoints.json"),
    deadLetterFile: join(dir, "dead-letters.jsonl"),
    env: {
      DATABRICKS_HOST: ws.url,
      DATABRICKS_CLIENT_ID: ws.credentials.clientId,
      DATABRICKS_CLIENT_SECRET: ws.credentials.clientSecret,
      DATABRICKS_CA_CERT_FILE: ws.caFile,
      DATA_INGESTION_SERVICE_URL: aktoEmulator.url,
      AKTO_JWT_TOKEN: aktoToken,
      KAFKA_BROKER_HOST: options.kafkaBootstrap,
      KAFKA_TOPIC: topic,
      SHIELD_STATE_DIR: dir,
    },
    payloadTables: payload.map((t) => t.fullName),
    expectedIds: () => [...seeded.filter((r) => !r.malformed).map((r) => r.id), ...added],
    malformedIds: () => seeded.filter((r) => r.malformed).map((r) => r.id),
    async addRows(count, { table, minutesAgo }) {
      const rows = await ws.insertLateRows(count, { table, minutesAgo });
      const ids = rows.map((r) => r.id);
      added.push(...ids);
      return ids;
    },
    async close() {
      await aktoEmulator.close();
      await ws.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createTopic(bootstrap: string, topic: string, partitions: number): Promise<void> {
  const admin = new Kafka({
    clientId: "pipekit-e2e-admin",
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}
