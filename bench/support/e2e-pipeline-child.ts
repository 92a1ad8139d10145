/**
 * Child entry of bench/e2e.ts: one end-to-end pipeline (Databricks source → redact → akto_mapping
 * → Kafka sink) in a fresh process, so its RSS is the pipeline's alone (no emulator, no broker, no
 * other benchmark's leftovers). Receives an E2eJob over IPC, answers with an E2eResult.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ComponentContext, type Message, Pipeline, type Sink, type WriteContext } from "@pipekit/core";
import { type DeadLetterRecord, workerPoolTransform } from "@pipekit/core/advanced";
import { FileCheckpointStore } from "@pipekit/core/builtins";
import { redactTransform } from "@pipekit/redact";
import { aktoMappingTransform } from "@pipekit/sink-akto/mapping";
import { createKafkaSink } from "@pipekit/sink-kafka";
import { createDatabricksSource } from "@pipekit/source-databricks";
import type { EmulatorInfo } from "./databricks-emulator.js";

export interface E2eJob {
  readonly emulator: EmulatorInfo;
  readonly brokers: readonly string[];
  readonly topic: string;
  /** Cap the Kafka sink at this many records/s (the slow-sink run); none = full speed. */
  readonly throttleRecordsPerSec?: number;
  /** Stop the pipeline after this long (the slow-sink run, or a cap on a loaded machine); none = read every row. */
  readonly durationMs?: number;
  /** Elapsed times (ms) at which to report the RSS seen in the preceding window. */
  readonly rssMarksMs?: readonly number[];
}

export interface E2eResult {
  readonly received: number;
  /** Rows read but neither delivered nor dead-lettered when the run was stopped. */
  readonly abandoned: number;
  readonly deadLettered: number;
  readonly sent: number;
  readonly seconds: number;
  /** CPU time (user + system, all threads) of this process from open to the end of the run. */
  readonly cpuSeconds: number;
  readonly baselineRssMB: number;
  readonly peakRssMB: number;
  /** Peak RSS over the RSS_MARK_WINDOW_MS before each requested mark. */
  readonly rssAtMarksMB: readonly number[];
  readonly stopped: boolean;
  /** The most frequent dead-letter reasons ("component: error"), with counts. */
  readonly deadLetterReasons: Readonly<Record<string, number>>;
}

/** Keeps only a count per reason: a million dead letters must not be held in memory. */
class ReasonCountingSink implements Sink {
  readonly type = "reason-count";
  readonly reasons = new Map<string, number>();
  async write(batch: readonly Message[]): Promise<void> {
    for (const m of batch) {
      const dl = m.value as DeadLetterRecord;
      const key = `${dl.component}: ${dl.error.name}: ${dl.error.message.slice(0, 160)}`;
      this.reasons.set(key, (this.reasons.get(key) ?? 0) + 1);
    }
  }
}

const SAMPLE_EVERY_MS = 100;
const PROGRESS_EVERY_MS = 15_000;
const RSS_MARK_WINDOW_MS = 5_000;
const MB = 2 ** 20;

/**
 * Counts what the Kafka sink accepted (for progress lines) and, when given a rate, holds it to that
 * rate: after each batch, wait until the records written so far are due. That makes the sink the
 * bottleneck, as a slow destination would, so backpressure must stop the source reading ahead.
 */
class PacedSink implements Sink {
  readonly type: string;
  written = 0;
  private started: number | undefined;
  constructor(
    private readonly inner: Sink,
    private readonly recordsPerSec: number | undefined,
  ) {
    this.type = inner.type;
  }
  open(ctx: ComponentContext): Promise<void> {
    return this.inner.open?.(ctx) ?? Promise.resolve();
  }
  async write(batch: readonly Message[], ctx: WriteContext) {
    this.started ??= performance.now();
    const result = await this.inner.write(batch, ctx);
    this.written += batch.length;
    if (this.recordsPerSec !== undefined) {
      const due = this.started + (this.written / this.recordsPerSec) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    return result;
  }
  close(): Promise<void> {
    return this.inner.close?.() ?? Promise.resolve();
  }
}

/**
 * Settings to compare against the defaults, from the environment (see bench/e2e.ts's header);
 * each left unset keeps what the product uses.
 */
const experiment = {
  chunkRows: numberFromEnv("BENCH_E2E_CHUNK_ROWS"),
  budgetMessages: numberFromEnv("BENCH_E2E_BUDGET_MESSAGES"),
  /** The shield's own Kafka batch size by default. */
  kafkaBatchCount: numberFromEnv("BENCH_E2E_BATCH_COUNT") ?? 500,
  kafkaCompression: process.env.BENCH_E2E_KAFKA_COMPRESSION as "none" | "gzip" | "snappy" | undefined,
  /** Worker threads for redact → akto_mapping (core's workerPoolTransform); none = the main thread. */
  transformWorkers: numberFromEnv("BENCH_E2E_TRANSFORM_WORKERS"),
};

function numberFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return value;
}

async function runJob(job: E2eJob): Promise<E2eResult> {
  const stateDir = mkdtempSync(join(tmpdir(), "pipekit-bench-e2e-"));
  const kafka = createKafkaSink({
    brokers: [...job.brokers],
    topic: job.topic,
    ...(experiment.kafkaCompression ? { compression: experiment.kafkaCompression } : {}),
  });
  const sink = new PacedSink(kafka, job.throttleRecordsPerSec);
  const deadLetters = new ReasonCountingSink();
  const pipeline = new Pipeline({
    id: "bench-e2e",
    source: createDatabricksSource({
      host: job.emulator.url,
      clientId: job.emulator.clientId,
      clientSecret: job.emulator.clientSecret,
      caCert: job.emulator.caPem,
      lookBackMinutes: 24 * 60,
      safetyLagSeconds: 0,
      ...(experiment.chunkRows ? { chunkRows: experiment.chunkRows } : {}),
    }),
    transforms: experiment.transformWorkers
      ? [
          {
            id: "transforms",
            transform: workerPoolTransform({
              // Transpiled next to this file by bench/e2e.ts.
              module: new URL("./e2e-transform-chain.mjs", import.meta.url),
              threads: experiment.transformWorkers,
            }),
          },
        ]
      : [
          { id: "redact", transform: redactTransform() },
          { id: "akto_mapping", transform: aktoMappingTransform() },
        ],
    sinks: [{ id: "kafka", sink, batch: { maxCount: experiment.kafkaBatchCount } }],
    deadLetter: deadLetters,
    checkpointStore: new FileCheckpointStore(join(stateDir, "checkpoints.json")),
    ...(experiment.budgetMessages ? { budget: { maxMessages: experiment.budgetMessages } } : {}),
  });

  globalThis.gc?.();
  const baselineRss = process.memoryUsage.rss();
  const samples: { at: number; rss: number }[] = [];
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const sample = () => samples.push({ at: performance.now() - started, rss: process.memoryUsage.rss() });
  const sampler = setInterval(sample, SAMPLE_EVERY_MS);
  const progress = setInterval(() => {
    const seconds = Math.round((performance.now() - started) / 1000);
    const rss = Math.round(process.memoryUsage.rss() / MB);
    process.stderr.write(`[bench e2e] ${seconds} s: ${sink.written} records in Kafka, RSS ${rss} MB\n`);
  }, PROGRESS_EVERY_MS);
  let stopTimer: NodeJS.Timeout | undefined;
  try {
    await pipeline.open();
    const cycle = pipeline.runCycle();
    if (job.durationMs !== undefined) {
      // Whatever is still queued behind the slow sink when time is up is abandoned: this run
      // measures memory under backpressure, not delivery.
      stopTimer = setTimeout(() => void pipeline.stop({ timeoutMs: 2_000 }), job.durationMs);
    }
    const report = await cycle;
    sample();
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuAtStart);
    const peakIn = (from: number, to: number) =>
      samples.filter((s) => s.at >= from && s.at <= to).reduce((m, s) => Math.max(m, s.rss), 0) / MB;
    return {
      received: report.received,
      abandoned: report.abandoned,
      deadLettered: report.deadLettered,
      deadLetterReasons: Object.fromEntries([...deadLetters.reasons].sort((a, b) => b[1] - a[1]).slice(0, 5)),
      sent: report.sent.kafka ?? 0,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      baselineRssMB: baselineRss / MB,
      peakRssMB: peakIn(0, Number.POSITIVE_INFINITY),
      rssAtMarksMB: (job.rssMarksMs ?? []).map((mark) => peakIn(mark - RSS_MARK_WINDOW_MS, mark)),
      stopped: report.stopped,
    };
  } finally {
    clearInterval(sampler);
    clearInterval(progress);
    clearTimeout(stopTimer);
    await pipeline.close({ timeoutMs: 2_000 });
    rmSync(stateDir, { recursive: true, force: true });
  }
}

process.once("message", (job) => {
  runJob(job as E2eJob).then(
    (result) => process.send?.({ ok: true, result }, () => process.exit(0)),
    (error: unknown) =>
      process.send?.(
        { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) },
        () => process.exit(1),
      ),
  );
});
