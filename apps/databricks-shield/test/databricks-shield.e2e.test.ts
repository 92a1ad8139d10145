import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AktoIngestionEmulator,
  auditRecords,
  checkAktoRecord,
  startAktoIngestionEmulator,
} from "@pipekit/testkit-akto";
import { startWorkspaceEmulator, type WorkspaceEmulator } from "@pipekit/testkit-databricks";
import { type KafkaBroker, readTopic, startKafkaBroker } from "@pipekit/testkit-kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, SHIELD_CLI } from "./helpers.js";

// Real parts end to end: the databricks-shield process, the workspace emulator over HTTPS with
// OAuth M2M and the real SQL driver, the Akto ingestion emulator over HTTP and a real Kafka broker.
const AKTO_TOKEN = "eyJhbGciOiJIUzI1NiJ9.e2e-akto-jwt.c2lnbmF0dXJl";
const TOPIC = "akto.api.logs";

type Record_ = { requestHeaders: string; tag: string };
const header = (r: Record_, name: string): string | undefined =>
  (JSON.parse(r.requestHeaders) as Record<string, string>)[name];
/** Request ids of the agent records (tool-call records carry their parent's id in another header). */
const executionIds = (records: readonly Record_[]): string[] =>
  records
    .filter((r) => header(r, "x-akto-parent-request-id") === undefined)
    .map((r) => header(r, "x-databricks-request-id")!);

describe("databricks-shield -once against the emulated workspace, Akto and Kafka", () => {
  let ws: WorkspaceEmulator;
  let akto: AktoIngestionEmulator;
  let broker: KafkaBroker;
  let stateDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    // Every seeded row lies 2–52 minutes back: inside the 60-minute look-back, clear of the safety lag.
    ws = await startWorkspaceEmulator({
      seed: 5,
      rowsPerTable: 30,
      agents: 1,
      now: Date.now() - 120_000,
      windowMinutes: 50,
    });
    akto = await startAktoIngestionEmulator({ token: AKTO_TOKEN });
    broker = await startKafkaBroker();
    await broker.createTopics([TOPIC, `${TOPIC}.main-thread`, `${TOPIC}.workers`]);
    stateDir = mkdtempSync(join(tmpdir(), "shield-e2e-"));
    env = {
      DATABRICKS_HOST: ws.url,
      DATABRICKS_CLIENT_ID: ws.credentials.clientId,
      DATABRICKS_CLIENT_SECRET: ws.credentials.clientSecret,
      DATABRICKS_CA_CERT_FILE: ws.caFile,
      DATA_INGESTION_SERVICE_URL: akto.url,
      AKTO_JWT_TOKEN: AKTO_TOKEN,
      KAFKA_BROKER_HOST: broker.bootstrap,
      SHIELD_STATE_DIR: stateDir,
    };
  }, 600_000);

  afterAll(async () => {
    await akto?.close();
    await broker?.stop();
    await ws?.close();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it("delivers every execution in the window to both sinks, then only what is new, nothing twice", async () => {
    const seededRows = ws.manifest.tables
      .filter((t) => t.kind === "ai_gateway_payload" || t.kind === "legacy_payload")
      .flatMap((t) => t.rows ?? []);
    const expected = seededRows.filter((r) => !r.malformed).map((r) => r.id);
    expect(expected.length).toBeGreaterThan(50);

    const first = await runCli(["-once", "--log-level", "debug"], env, SHIELD_CLI);
    expect(first.code, first.stderr).toBe(0);
    const toAkto1 = executionIds(akto.records as Record_[]);
    expect([...toAkto1].sort()).toEqual([...expected].sort());
    const kafka1 = (await readTopic(broker.bootstrap, TOPIC)).map(
      (m) => JSON.parse(m.value!.toString()) as Record_,
    );
    expect(executionIds(kafka1).sort()).toEqual([...expected].sort());
    // Tool calls travel as their own records, on both paths.
    const toolRecords = akto.records.length - toAkto1.length;
    expect(toolRecords).toBeGreaterThan(0);
    expect(kafka1.length).toBe(akto.records.length);
    for (const record of akto.records) expect(checkAktoRecord(record)).toEqual([]);

    // Late rows land between the runs (one of them too old for any window).
    const gateway = ws.manifest.tables.find((t) => t.kind === "ai_gateway_payload")!;
    const late = await ws.insertLateRows(3, { table: gateway.fullName, minutesAgo: 20 });
    const tooOld = await ws.insertLateRows(1, { table: gateway.fullName, minutesAgo: 90 });

    const second = await runCli(["-once"], env, SHIELD_CLI);
    expect(second.code, second.stderr).toBe(0);
    const toAkto2 = executionIds((akto.records as Record_[]).slice(toAkto1.length + toolRecords));
    expect(toAkto2.sort()).toEqual(late.map((r) => r.id).sort());
    const kafka2 = (await readTopic(broker.bootstrap, TOPIC)).map(
      (m) => JSON.parse(m.value!.toString()) as Record_,
    );
    const allKafka = executionIds(kafka2);
    expect(allKafka.sort()).toEqual([...expected, ...late.map((r) => r.id)].sort());
    expect(allKafka).not.toContain(tooOld[0]!.id);
    // Nothing a simple, validation-free pattern recognises reached either sink.
    expect([...auditRecords(akto.records, "akto"), ...auditRecords(kafka2, "kafka")]).toEqual([]);

    // The runs' logs and errors carry no secret, even at debug level.
    for (const output of [first.stdout, first.stderr, second.stdout, second.stderr]) {
      expect(output).not.toContain(ws.credentials.clientSecret);
      expect(output).not.toContain(AKTO_TOKEN);
    }
    // The per-cycle summary log says what the source saw, not only generic counts.
    const summary = first.stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === "cycle summary");
    expect(summary).toMatchObject({
      agents: ws.manifest.agents.filter((a) => a.task.startsWith("agent/")).length,
      executions: expected.length,
      parseFailures: seededRows.length - expected.length,
    });
    expect(summary?.tables).toBeGreaterThanOrEqual(4);
    // Reports carry counts, not positions: the cycle's log lines stay small whatever the traffic
    // (each used to list every delivered id of the window).
    const cycleLines = first.stdout
      .split("\n")
      .filter((l) => /"msg":"(cycle finished|cycle summary|databricks cycle read)"/.test(l));
    expect(cycleLines.length).toBeGreaterThanOrEqual(2);
    for (const line of cycleLines) expect(Buffer.byteLength(line), line.slice(0, 300)).toBeLessThan(4096);
  });

  it("with SHIELD_TRANSFORM_WORKERS, sends exactly the records the main thread sends", async () => {
    const recordsOf = async (name: string, workers: string) => {
      const dir = mkdtempSync(join(tmpdir(), `shield-${name}-`));
      try {
        const topic = `${TOPIC}.${name}`;
        const run = await runCli(["-once"], {
          ...env,
          DATA_INGESTION_SERVICE_URL: "",
          KAFKA_TOPIC: topic,
          SHIELD_STATE_DIR: dir,
          SHIELD_TRANSFORM_WORKERS: workers,
        });
        expect(run.code, run.stderr).toBe(0);
        // The pipeline the run built (logged at start) is the one with the pool; the runner's own
        // tests show such a pipeline runs its transforms in worker threads.
        const started = run.stdout
          .split("\n")
          .filter((l) => l.startsWith("{"))
          .map((l) => JSON.parse(l) as { config?: { transformWorkers?: number } })
          .find((l) => l.config !== undefined);
        expect(started?.config?.transformWorkers ?? 0).toBe(Number(workers));
        return (await readTopic(broker.bootstrap, topic)).map((m) => m.value!.toString()).sort();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    const mainThread = await recordsOf("main-thread", "0");
    const workers = await recordsOf("workers", "2");
    expect(mainThread.length).toBeGreaterThan(50);
    expect(workers).toEqual(mainThread);
    const records = workers.map((text) => JSON.parse(text) as Record_);
    for (const record of records) expect(checkAktoRecord(record)).toEqual([]);
    expect(auditRecords(records, "kafka")).toEqual([]);
  });
});
