/**
 * The README's main job (`npm start`): a seeded local Databricks workspace (the emulator: real HTTPS,
 * OAuth M2M, Unity Catalog, a Thrift SQL warehouse) and the real `databricks-shield` binary run once
 * against it — discovery, reading, redaction, Akto mapping — writing Akto traffic records to a
 * JSON-lines file, and, when asked, to the Akto ingestion emulator (--akto) and a real Kafka broker
 * (--kafka). Then a summary of what happened.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  type ContractViolation,
  checkAktoRecord,
  formatViolations,
  startAktoIngestionEmulator,
} from "@pipekit/testkit-akto";
import { type SeededTableKind, type SeedManifest, startWorkspaceEmulator } from "@pipekit/testkit-databricks";
import { readTopic, startKafkaBroker } from "@pipekit/testkit-kafka";
import { summariseOutput } from "./summarise-output.js";

const { values: args } = parseArgs({
  options: {
    akto: { type: "boolean", default: false },
    kafka: { type: "boolean", default: false },
    rows: { type: "string", default: "200" },
    out: { type: "string", default: "demo-output" },
  },
});

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const outDir = resolve(process.cwd(), args.out);
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const outputFile = join(outDir, "akto-records.jsonl");
const say = (line: string) => process.stdout.write(`${line}\n`);

let binarySummary: Record<string, number> | undefined;

/** The seeded table kinds as surfaces (the v2 span table is read through its view). */
const SURFACE_OF_TABLE: Partial<Record<SeededTableKind, string>> = {
  ai_gateway_payload: "AI Gateway table",
  ai_gateway_beta_payload: "AI Gateway (Beta) table",
  legacy_payload: "legacy payload table",
  uc_trace_spans_v1: "UC traces v1 (spans)",
  uc_trace_unified_view: "UC traces v2 (view)",
};

/** The source's table kinds for each surface (keys of its cycle summary: executions.<kind>). */
const SURFACE_KINDS: Record<string, string> = {
  "AI Gateway table": "ai-gateway",
  "AI Gateway (Beta) table": "ai-gateway-beta",
  "legacy payload table": "legacy",
  "UC traces v1 (spans)": "trace",
  "UC traces v2 (view)": "trace-view",
  "MLflow experiment (REST)": "experiment-traces",
};

say("Starting the demo Databricks workspace (emulator)…");
// Every place a 2026 workspace records agent executions: AI Gateway inference tables (current and
// Beta layouts), the legacy payload table, MLflow traces in Unity Catalog (v1 tables, v2 views) and
// MLflow experiment traces over REST.
// Rows lie 2 to 57 minutes back: inside the shield's 60-minute look-back and clear of its 30 s
// safety lag however long start-up takes, so every seeded execution is read (spread over the
// whole hour, the oldest and newest fell out of the window depending on a second of start-up).
const workspace = await startWorkspaceEmulator({
  seed: 42,
  now: Date.now() - 120_000,
  windowMinutes: 55,
  rowsPerTable: Number(args.rows),
  surfaces: ["ai-gateway-beta", "uc-traces-v1", "uc-traces-v2", "experiment-traces"],
});
const closers: (() => Promise<unknown>)[] = [() => workspace.close()];
const deliveries: (() => Promise<string>)[] = [];
try {
  say(
    `  ${workspace.url}: ${workspace.manifest.agents.length} agents, ${workspace.manifest.tables.length} tables`,
  );
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    DATABRICKS_HOST: workspace.url,
    DATABRICKS_CLIENT_ID: workspace.credentials.clientId,
    DATABRICKS_CLIENT_SECRET: workspace.credentials.clientSecret,
    DATABRICKS_CA_CERT_FILE: workspace.caFile,
    SHIELD_OUTPUT_FILE: outputFile,
    SHIELD_STATE_DIR: join(outDir, "state"),
  };
  if (args.kafka) {
    say("Starting a real Kafka broker (KRaft, jars from Maven Central on first use)…");
    const broker = await startKafkaBroker();
    closers.unshift(() => broker.stop());
    await broker.createTopics(["akto.api.logs"]);
    env.KAFKA_BROKER_HOST = broker.bootstrap;
    deliveries.push(
      async () =>
        `Kafka topic akto.api.logs  ${(await readTopic(broker.bootstrap, "akto.api.logs")).length} records`,
    );
    say(`  Kafka at ${broker.bootstrap}`);
  }
  if (args.akto) {
    const akto = await startAktoIngestionEmulator({ token: "demo-akto-jwt" });
    closers.unshift(() => akto.close());
    env.DATA_INGESTION_SERVICE_URL = akto.url;
    env.AKTO_JWT_TOKEN = "demo-akto-jwt";
    deliveries.push(async () => `Akto ingestion emulator    ${akto.records.length} records accepted`);
    say(`  Akto ingestion emulator at ${akto.url}`);
  }

  say("\nRunning: databricks-shield -once\n");
  const binary = join(repoRoot, "apps/databricks-shield/dist/cli/databricks-shield.js");
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run the build first (npm start does)`);
  const exitCode = await new Promise<number>((done, fail) => {
    // Info logs carry the binary's own cycle summary (what it read per surface, how many agents);
    // they are parsed, not shown, except warnings and errors.
    const child = spawn(process.execPath, [binary, "-once", "--log-level", "info"], {
      env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let pending = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (text: string) => {
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) onBinaryLine(line);
    });
    child.on("error", fail);
    child.on("exit", (code) => {
      if (pending) onBinaryLine(pending);
      done(code ?? 1);
    });
  });

  const summary = summariseOutput(existsSync(outputFile) ? readFileSync(outputFile, "utf8") : "");
  const deadLetterFile = join(outDir, "state", "dead-letters.jsonl");
  const deadLetters = existsSync(deadLetterFile)
    ? readFileSync(deadLetterFile, "utf8").split("\n").filter(Boolean).length
    : 0;
  say("\n── Summary ─────────────────────────────────────────────");
  // "7 agents vs 5": the records' agent tags name every endpoint with executions (LLM endpoints
  // too), the binary's "agents" are the agent-task endpoints it discovered. Compared like for like:
  // its agentsWithExecutions counts what the records are tagged with.
  say(
    `agents with executions     ${summary.agents.size} (${[...summary.agents].sort().join(", ")})` +
      (binarySummary
        ? `; databricks-shield: ${binarySummary.agentsWithExecutions} with executions, ${binarySummary.agents} agent-task endpoints`
        : ""),
  );
  const surfaces = countBySurface(summary.executionIds, workspace.manifest);
  for (const [surface, n] of surfaces) {
    const reported = binarySummary?.[`executions.${SURFACE_KINDS[surface] ?? ""}`];
    say(
      `  ${surface.padEnd(25)}${n}${reported !== undefined && reported !== n ? ` (shield read ${reported})` : ""}`,
    );
  }
  say(`executions → Akto records  ${summary.executions}`);
  const missing = missingExecutions(summary.executionIds, workspace.manifest);
  say(
    `seeded, not delivered      ${missing.length}${missing.length ? ` (e.g. ${missing.slice(0, 3).join(", ")})` : ""}`,
  );
  if (missing.length > 0) process.exitCode = 1;
  say(`tool calls → Akto records  ${summary.toolCalls}`);
  const violations = contractViolations(existsSync(outputFile) ? readFileSync(outputFile, "utf8") : "");
  say(
    `Akto contract violations   ${violations.length}${violations.length ? `\n${formatViolations(violations.slice(0, 20))}` : ""}`,
  );
  if (violations.length > 0) process.exitCode = 1;
  say(`redactions by type         ${formatCounts(summary.redactions)}`);
  say(
    `dead-lettered rows         ${deadLetters}${deadLetters ? ` (reasons in ${relative(process.cwd(), deadLetterFile)})` : ""}`,
  );
  say(`Akto records written to    ${relative(process.cwd(), outputFile)}`);
  for (const delivery of deliveries) say(await delivery());
  say(`databricks-shield exit     ${exitCode}`);
  if (exitCode !== 0) process.exitCode = exitCode;
} finally {
  for (const close of closers) await close();
}

/** Shows the binary's warnings, errors and plain lines; keeps its cycle summary. */
function onBinaryLine(line: string): void {
  if (!line.trim()) return;
  let entry: { level?: number | string; msg?: string } & Record<string, unknown>;
  try {
    entry = JSON.parse(line) as typeof entry;
  } catch {
    say(line);
    return;
  }
  if (entry.msg === "cycle summary") binarySummary = entry as unknown as Record<string, number>;
  // Dead-lettered rows are summarised below; errors are shown as the binary wrote them.
  const level = typeof entry.level === "number" ? entry.level : entry.level === "error" ? 50 : 30;
  if (level >= 50) say(line);
}

/** Execution records per surface, by where the manifest says each id was seeded. */
function countBySurface(ids: readonly string[], manifest: SeedManifest): Map<string, number> {
  const surfaceOf = new Map<string, string>();
  for (const t of manifest.tables) {
    const surface = SURFACE_OF_TABLE[t.kind];
    if (surface) for (const r of t.rows ?? []) surfaceOf.set(r.id, surface);
  }
  for (const t of manifest.experimentTraces ?? []) surfaceOf.set(t.id, "MLflow experiment (REST)");
  const counts = new Map<string, number>();
  for (const id of ids) {
    const surface = surfaceOf.get(id) ?? "other";
    counts.set(surface, (counts.get(surface) ?? 0) + 1);
  }
  return new Map([...counts].sort((a, b) => a[0].localeCompare(b[0])));
}

/** Seeded executions (malformed rows aside: those are dead-lettered) that no Akto record carries. */
function missingExecutions(ids: readonly string[], manifest: SeedManifest): string[] {
  const delivered = new Set(ids);
  const seeded = [
    ...manifest.tables.flatMap((t) => (SURFACE_OF_TABLE[t.kind] ? (t.rows ?? []) : [])),
    ...(manifest.experimentTraces ?? []),
  ];
  return seeded.filter((r) => !("malformed" in r && r.malformed) && !delivered.has(r.id)).map((r) => r.id);
}

/** Every record against Akto's ingestion contract (testkit-akto's checker), each named by its line. */
function contractViolations(jsonl: string): ContractViolation[] {
  return jsonl
    .split("\n")
    .filter((line) => line.trim())
    .flatMap((line, i) => checkAktoRecord(JSON.parse(line) as unknown, `line ${i + 1}: `));
}

function formatCounts(counts: ReadonlyMap<string, number>): string {
  if (counts.size === 0) return "none";
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
}
