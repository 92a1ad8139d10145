/**
 * End to end under load: 1,000,000 (BENCH_E2E_ROWS) seeded executions from the workspace emulator through the
 * Databricks source → redact → akto_mapping → Kafka sink on a real broker (started here), then the
 * same pipeline with the Kafka sink held to 10% of the speed the first run reached.
 * The pipeline runs in its own child process (bench/support/e2e-pipeline-child.ts), so the RSS
 * figures are the pipeline's alone: the emulator (DuckDB) runs in another child and Kafka in a JVM.
 * That process keeps V8's own garbage-collector settings: the binaries' tuning (runner's gc-tuning),
 * set here once the modules are loaded, changed neither RSS nor CPU (100k rows, 2 runs each).
 *   e2eRowsPerSec          rows/s, source rows read ÷ wall time (open → everything acknowledged)
 *   e2eRecordsPerSec       Akto records/s into Kafka (one per execution plus one per tool call)
 *   e2eRows                rows delivered or dead-lettered (= seeded rows when the run completes)
 *   e2eSeededRows          rows seeded (BENCH_E2E_ROWS, default 1,000,000)
 *   e2eCpuMsPer1kRows      CPU time of the pipeline process (all its threads) per 1,000 rows: the cost, less noisy than a rate
 *   e2eMachineCpuMsPer1kRows  CPU time of the whole machine (pipeline + emulator + broker) per 1,000 rows of the full run
 *   e2eEmulatorCpuMsPer1kRows the emulator process's part of that (DuckDB, Arrow, HTTPS)
 *   e2eCpuCeilingRowsPerSec   cores × 1e6 ÷ e2eMachineCpuMsPer1kRows: the rate at which that cost fills every core
 *   e2eComplete            1 when all seeded rows went through; 0 when FULL_RUN_MAX_MS stopped it
 *   e2eDeadLettered        rows dead-lettered (the seeder's malformed rows)
 *   e2ePeakRssMB           peak RSS of the pipeline process during the full run (V8 heap capped at 256 MB)
 *   e2eCpuPct<Stage>       share of the full run's CPU profile per stage (bench/support/cpu-profile-summary.ts)
 *   e2eBaselineRssMB       RSS of the same process before the pipeline opened (modules loaded)
 *   throttledRecordsPerSec the throttled sink's rate (10% of e2eRecordsPerSec)
 *   throttledPeakRssMB     peak RSS of the pipeline process during the 60 s throttled run
 *   throttledRssAt20sMB / throttledRssAt60sMB  peak RSS in the 5 s before 20 s and before 60 s
 *   throttledRssGrowthMB   throttledRssAt60sMB − throttledRssAt20sMB (flat memory ⇒ about 0)
 * To look for the next bottleneck (the figures are then not the defaults'): BENCH_E2E_ROWS,
 * BENCH_E2E_THROTTLED=0 (skip the slow-sink run), BENCH_E2E_PROFILE_DIR (keep the CPU profiles),
 * BENCH_E2E_NODE_FLAGS (V8/Node flags of the pipeline process), BENCH_E2E_CHUNK_ROWS (the source's
 * chunkRows), BENCH_E2E_BUDGET_MESSAGES (in-flight budget), BENCH_E2E_BATCH_COUNT (Kafka batch,
 * default 500 as the shield), BENCH_E2E_KAFKA_COMPRESSION (none | gzip | snappy),
 * BENCH_E2E_TRANSFORM_WORKERS (run redact → akto_mapping in that many worker threads).
 */
import { execFileSync, fork } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startKafkaBroker } from "@pipekit/testkit-kafka";
import { Kafka, logLevel } from "kafkajs";
import ts from "typescript";
import { STAGES, summariseCpuProfileFile } from "./support/cpu-profile-summary.js";
import { type EmulatorInfo, startEmulatorProcess } from "./support/databricks-emulator.js";
import type { E2eJob, E2eResult } from "./support/e2e-pipeline-child.js";
import { cpuSecondsBetween, readCpu } from "./support/machine-cpu.js";

/** BENCH_E2E_ROWS=100000 gives a quicker run (e.g. to look at the CPU profile); the default is the issue's 1M. */
const TOTAL_ROWS = Number(process.env.BENCH_E2E_ROWS ?? 1_000_000);
const AGENTS = 1; // 3 AI Gateway tables + 1 legacy table
const TABLES = 3 * AGENTS + 1;
const PARTITIONS = 3;
const FULL_TOPIC = "bench.e2e";
const THROTTLED_TOPIC = "bench.e2e.throttled";
const THROTTLE_FRACTION = 0.1;
const THROTTLED_RUN_MS = 60_000;
/**
 * The full run stops here if it has not finished (a shared, loaded machine): the figures then cover
 * the rows done, and e2eComplete is 0. Keeps the whole benchmark well under 10 minutes.
 */
const FULL_RUN_MAX_MS = 540_000;
/**
 * The pipeline process gets a fixed V8 heap, as a container would give it. Without a cap V8 on a
 * 24 GiB machine lets garbage pile up to gigabytes before a full collection, so RSS would measure
 * the collector's laziness rather than what the pipeline keeps; with it, RSS shows the real bound
 * (the run fails with an out-of-memory error if the pipeline needed more).
 */
const PIPELINE_HEAP_MB = 256;
const CHILD_SOURCE = fileURLToPath(new URL("./support/e2e-pipeline-child.ts", import.meta.url));
/** The transforms as a worker-pool module (BENCH_E2E_TRANSFORM_WORKERS), transpiled next to the child. */
const CHAIN_SOURCE = fileURLToPath(new URL("./support/e2e-transform-chain.ts", import.meta.url));
const REPO = fileURLToPath(new URL("..", import.meta.url));
/** Inside the repo (gitignored), so the child's `@pipekit/*` imports resolve through node_modules. */
const CHILD = join(REPO, "bench/.work/e2e-pipeline-child.mjs");
const PIPELINE_PACKAGES = ["core", "redact", "sink-akto", "sink-kafka", "source-databricks"];

/**
 * The pipeline process runs built JavaScript, as the product does: under tsx the same process is
 * ~50 MB bigger (its loader thread and transpile cache), which would measure the dev setup rather
 * than the pipeline. So the packages are built (incremental: a no-op when nothing changed) and the
 * child's own file is transpiled alone; its `@pipekit/*` imports then resolve to the packages' dist.
 */
function prepareChild(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const projects = PIPELINE_PACKAGES.map((p) => join(REPO, "packages", p, "tsconfig.json"));
  execFileSync(process.execPath, [tsc, "-b", ...projects], {
    cwd: REPO,
    stdio: ["ignore", "inherit", "inherit"],
  });
  mkdirSync(dirname(CHILD), { recursive: true });
  for (const [source, target] of [
    [CHILD_SOURCE, CHILD],
    [CHAIN_SOURCE, join(dirname(CHILD), "e2e-transform-chain.mjs")],
  ] as const) {
    const { outputText } = ts.transpileModule(readFileSync(source, "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: source,
    });
    writeFileSync(target, outputText);
  }
}

/**
 * Runs one pipeline job in its own process. With `cpuProfileDir`, the process runs under
 * `--cpu-prof`, which V8 writes when the process exits: the promise waits for the exit, not only
 * for the result message, so the profile is on disk when it resolves.
 */
function runPipelineProcess(job: E2eJob, cpuProfileDir?: string): Promise<E2eResult> {
  const child = fork(CHILD, [], {
    execArgv: [
      ...(cpuProfileDir ? ["--cpu-prof", "--cpu-prof-dir", cpuProfileDir] : []),
      "--expose-gc",
      `--max-old-space-size=${PIPELINE_HEAP_MB}`,
      // BENCH_E2E_NODE_FLAGS adds V8/Node flags to the pipeline process (e.g. to compare GC settings).
      ...(process.env.BENCH_E2E_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? []),
    ],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    let result: E2eResult | undefined;
    child.once("error", reject);
    child.once("exit", (code) => {
      if (result) resolve(result);
      else reject(new Error(`pipeline process exited with ${code} without a result`));
    });
    child.once("message", (raw) => {
      const reply = raw as { ok: true; result: E2eResult } | { ok: false; error: string };
      if (reply.ok) result = reply.result;
      else reject(new Error(`pipeline process failed: ${reply.error}`));
    });
    child.send(job);
  });
}

/** Records the broker holds in a topic: the sum of its partitions' high watermarks. */
async function topicRecords(brokers: string[], topic: string): Promise<number> {
  const admin = new Kafka({ clientId: "bench-e2e", brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

const skippedRun: E2eResult = {
  received: 0,
  abandoned: 0,
  deadLettered: 0,
  sent: 0,
  seconds: 1,
  cpuSeconds: 0,
  baselineRssMB: 0,
  peakRssMB: 0,
  rssAtMarksMB: [],
  stopped: true,
  deadLetterReasons: {},
};

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * What the full run cost the whole machine per 1,000 rows (pipeline, emulator, broker, and
 * whatever else ran: run it quiet), the emulator's part of it, and the rate at which that cost
 * would keep every core busy: the pipeline cannot go faster on this machine without costing less.
 */
function machineCpuFigures(
  before: ReturnType<typeof readCpu>,
  after: ReturnType<typeof readCpu>,
  emulatorPid: number,
  rows: number,
): Record<string, number> {
  if (!before || !after || rows === 0) return {};
  const { machine, byPid } = cpuSecondsBetween(before, after);
  const machineMsPer1k = (machine * 1e6) / rows;
  return {
    e2eMachineCpuMsPer1kRows: round1(machineMsPer1k),
    e2eEmulatorCpuMsPer1kRows: round1(((byPid.get(emulatorPid) ?? 0) * 1e6) / rows),
    e2eCpuCeilingRowsPerSec: Math.round((availableParallelism() * 1e6) / machineMsPer1k),
  };
}

export async function run(): Promise<Record<string, number>> {
  prepareChild();
  const [emulator, broker] = await Promise.all([
    startEmulatorProcess({ seed: 1, agents: AGENTS, rowsPerTable: TOTAL_ROWS / TABLES }),
    startKafkaBroker({ heapMb: 1024 }),
  ]);
  // BENCH_E2E_PROFILE_DIR keeps the profiles (e.g. to open in Chrome DevTools); otherwise a temp dir.
  const keptProfileDir = process.env.BENCH_E2E_PROFILE_DIR;
  const profileDir = keptProfileDir ?? mkdtempSync(join(tmpdir(), "pipekit-bench-e2e-cpu-"));
  try {
    await broker.createTopics([
      { topic: FULL_TOPIC, numPartitions: PARTITIONS },
      { topic: THROTTLED_TOPIC, numPartitions: PARTITIONS },
    ]);
    const info: EmulatorInfo = emulator.info;
    const seeded = info.tables.reduce((n, t) => n + t.rowCount, 0);
    const malformed = info.tables.reduce((n, t) => n + t.malformed, 0);

    const cpuBefore = readCpu([emulator.pid]);
    const full = await runPipelineProcess(
      { emulator: info, brokers: broker.brokers, topic: FULL_TOPIC, durationMs: FULL_RUN_MAX_MS },
      profileDir,
    );
    const cpuAfter = readCpu([emulator.pid]);
    // One profile per thread: tsx's module hooks run on a loader thread of their own, which is
    // idle after start-up. The pipeline's main thread is the profile with the most samples.
    const profiles = readdirSync(profileDir)
      .filter((f) => f.endsWith(".cpuprofile"))
      .map((f) => join(profileDir, f))
      .sort((a, b) => statSync(b).size - statSync(a).size);
    if (profiles.length === 0) throw new Error(`no CPU profile in ${profileDir}`);
    const cpu = summariseCpuProfileFile(profiles[0]!);
    process.stderr.write(
      `[bench e2e] busiest functions (self time):\n${cpu.top.map((f) => `  ${f.pct.toFixed(1)}% ${f.stage} ${f.functionName || "(anonymous)"} ${f.url.replace(/^.*\/node_modules\//, "")}`).join("\n")}\n`,
    );
    const done = full.received - full.abandoned;
    if (!full.stopped && (full.received !== seeded || full.deadLettered !== malformed)) {
      throw new Error(
        `read ${full.received} rows with ${full.deadLettered} dead-lettered; seeded ${seeded} with ${malformed} malformed; top reasons ${JSON.stringify(full.deadLetterReasons)}`,
      );
    }
    const inTopic = await topicRecords(broker.brokers, FULL_TOPIC);
    if (inTopic !== full.sent)
      throw new Error(`sink acknowledged ${full.sent} records, topic holds ${inTopic}`);
    const recordsPerSec = full.sent / full.seconds;

    const throttledRate = Math.max(1, Math.round(recordsPerSec * THROTTLE_FRACTION));
    // BENCH_E2E_THROTTLED=0 skips the slow-sink run (a quicker look at the full run's profile).
    const throttled =
      process.env.BENCH_E2E_THROTTLED === "0"
        ? skippedRun
        : await runPipelineProcess({
            emulator: info,
            brokers: broker.brokers,
            topic: THROTTLED_TOPIC,
            throttleRecordsPerSec: throttledRate,
            durationMs: THROTTLED_RUN_MS,
            rssMarksMs: [20_000, THROTTLED_RUN_MS],
          });
    const [at20 = 0, at60 = 0] = throttled.rssAtMarksMB;
    return {
      e2eRowsPerSec: Math.round(done / full.seconds),
      e2eRecordsPerSec: Math.round(recordsPerSec),
      e2eRows: done,
      e2eSeededRows: seeded,
      e2eComplete: full.stopped ? 0 : 1,
      e2eDeadLettered: full.deadLettered,
      e2eSeconds: round1(full.seconds),
      e2eCpuMsPer1kRows: round1((full.cpuSeconds * 1e6) / Math.max(1, done)),
      ...machineCpuFigures(cpuBefore, cpuAfter, emulator.pid, done),
      e2ePeakRssMB: round1(full.peakRssMB),
      e2eBaselineRssMB: round1(full.baselineRssMB),
      throttledRecordsPerSec: throttledRate,
      throttledActualRecordsPerSec: Math.round(throttled.sent / throttled.seconds),
      throttledPeakRssMB: round1(throttled.peakRssMB),
      throttledRssAt20sMB: round1(at20),
      throttledRssAt60sMB: round1(at60),
      throttledRssGrowthMB: round1(at60 - at20),
      ...Object.fromEntries(STAGES.map((s) => [`e2eCpuPct${s[0]!.toUpperCase()}${s.slice(1)}`, cpu.pct[s]])),
    };
  } finally {
    if (!keptProfileDir) rmSync(profileDir, { recursive: true, force: true });
    await Promise.allSettled([emulator.close(), broker.stop()]);
  }
}
