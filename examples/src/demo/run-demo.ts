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
import { startAktoIngestionEmulator } from "@pipekit/testkit-akto";
import { startWorkspaceEmulator } from "@pipekit/testkit-databricks";
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

say("Starting the demo Databricks workspace (emulator)…");
const workspace = await startWorkspaceEmulator({ seed: 42, rowsPerTable: Number(args.rows) });
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
    const child = spawn(process.execPath, [binary, "-once", "--log-level", "error"], {
      env,
      stdio: "inherit",
    });
    child.on("error", fail);
    child.on("exit", (code) => done(code ?? 1));
  });

  const summary = summariseOutput(existsSync(outputFile) ? readFileSync(outputFile, "utf8") : "");
  const deadLetterFile = join(outDir, "state", "dead-letters.jsonl");
  const deadLetters = existsSync(deadLetterFile)
    ? readFileSync(deadLetterFile, "utf8").split("\n").filter(Boolean).length
    : 0;
  say("\n── Summary ─────────────────────────────────────────────");
  say(`agents discovered          ${summary.agents.size} (${[...summary.agents].sort().join(", ")})`);
  say(`executions → Akto records  ${summary.executions}`);
  say(`tool calls → Akto records  ${summary.toolCalls}`);
  say(`redactions by type         ${formatCounts(summary.redactions)}`);
  say(
    `dead-lettered rows         ${deadLetters}${deadLetters ? ` (reasons in ${relative(process.cwd(), deadLetterFile)})` : ""}`,
  );
  say(`Akto records written to    ${relative(process.cwd(), outputFile)}`);
  for (const delivery of deliveries) say(await delivery());
  say(`databricks-shield exit     ${exitCode}`);
  process.exitCode = exitCode;
} finally {
  for (const close of closers) await close();
}

function formatCounts(counts: ReadonlyMap<string, number>): string {
  if (counts.size === 0) return "none";
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
}
