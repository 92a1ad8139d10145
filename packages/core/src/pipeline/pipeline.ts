import type { Meter, Tracer } from "@opentelemetry/api";
import { metrics as otelMetrics, trace } from "@opentelemetry/api";
import { MemoryCheckpointStore } from "../checkpoint/memory-checkpoint-store.js";
import { JsonlFileSink } from "../components/jsonl-file-sink.js";
import type { CheckpointStore } from "../contracts/checkpoint.js";
import type { ComponentContext, Logger } from "../contracts/context.js";
import type { Sink } from "../contracts/sink.js";
import { defaultCommitPolicy } from "../engine/checkpoint-committer.js";
import { Cycle } from "../engine/cycle.js";
import type { CycleOptions, CycleSetup } from "../engine/cycle-setup.js";
import { defaultBudget } from "../engine/in-flight-budget.js";
import type { CycleReport, StopReport } from "../engine/reports.js";
import { defaultBatchPolicy } from "../engine/sink-runner.js";
import { ConfigError } from "../errors/classified-errors.js";
import { silentLogger } from "../logging/loggers.js";
import { defaultRetryPolicy } from "../retry/backoff.js";
import { CycleMetrics } from "../telemetry/cycle-metrics.js";
import { type ComponentAttributes, PipelineMetrics } from "../telemetry/pipeline-metrics.js";
import { namedTransforms, type PipelineOptions } from "./options.js";

const INSTRUMENTATION_SCOPE = "@pipekit/core";
export const DEFAULT_DEAD_LETTER_PATH = "./dead-letters.jsonl";

type State = "new" | "open" | "closed";

/**
 * Source → transforms → sinks with bounded in-flight work, batching, retries, dead letters and
 * checkpoints. `open()` once, `runCycle()` for each pass over the source (the runner schedules
 * them), `stop()` to drain, `close()` to release everything (the pipeline owns its components).
 */
export class Pipeline {
  readonly id: string;
  private readonly setup: CycleSetup;
  private readonly logger: Logger;
  private readonly meter: Meter;
  private readonly tracer: Tracer;
  private readonly lifetime = new AbortController();
  private readonly store: CheckpointStore;
  private state: State = "new";
  private current: { cycle: Cycle; promise: Promise<CycleReport> } | undefined;

  constructor(options: PipelineOptions) {
    this.id = options.id ?? "pipeline";
    this.logger = (options.logger ?? silentLogger).child({ pipeline: this.id });
    this.meter = options.meter ?? (options.meterProvider ?? otelMetrics).getMeter(INSTRUMENTATION_SCOPE);
    this.tracer = options.tracer ?? trace.getTracer(INSTRUMENTATION_SCOPE);
    this.store = options.checkpointStore ?? new MemoryCheckpointStore();

    if (options.sinks.length === 0)
      throw new ConfigError("A pipeline needs at least one sink", [
        { path: ["sinks"], message: "at least one sink is required" },
      ]);
    const seen = new Set<string>();
    options.sinks.forEach((s, i) => {
      if (seen.has(s.id)) {
        throw new ConfigError(`Duplicate sink id "${s.id}" at sinks[${i}]`, [
          { path: ["sinks", i, "id"], message: `duplicate sink id "${s.id}"` },
        ]);
      }
      seen.add(s.id);
    });

    const attrs = (id: string, kind: string, type: string): ComponentAttributes => ({
      component_id: id,
      component_kind: kind,
      component_type: type,
    });
    const deadLetterSink: Sink =
      typeof options.deadLetter === "object"
        ? options.deadLetter
        : new JsonlFileSink({ path: options.deadLetter ?? DEFAULT_DEAD_LETTER_PATH });
    const budget = { ...defaultBudget, ...options.budget };
    positive("budget.maxMessages", budget.maxMessages);
    positive("budget.maxBytes", budget.maxBytes);
    const transformConcurrency = Math.max(
      options.transformConcurrency ?? 16,
      ...namedTransforms(options.transforms).map((t) => t.transform.concurrency ?? 0),
    );
    positive("transformConcurrency", transformConcurrency);

    this.setup = {
      pipelineId: this.id,
      source: { id: "source", source: options.source, attrs: attrs("source", "source", options.source.type) },
      transforms: namedTransforms(options.transforms).map((t) => ({
        ...t,
        attrs: attrs(t.id, "transform", t.transform.type),
      })),
      sinks: options.sinks.map((s, i) => {
        const batch = { ...defaultBatchPolicy, ...s.batch };
        const retry = { ...defaultRetryPolicy, ...s.retry };
        positive(`sinks[${i}].batch.maxCount`, batch.maxCount);
        positive(`sinks[${i}].batch.maxBytes`, batch.maxBytes);
        positive(`sinks[${i}].retry.maxAttempts`, retry.maxAttempts);
        const concurrency = s.concurrency ?? 1;
        positive(`sinks[${i}].concurrency`, concurrency);
        return { id: s.id, sink: s.sink, attrs: attrs(s.id, "sink", s.sink.type), batch, retry, concurrency };
      }),
      deadLetter: { id: "dead_letter", sink: deadLetterSink },
      checkpointStore: this.store,
      commitPolicy: { ...defaultCommitPolicy, ...options.checkpoint },
      budget,
      transformConcurrency,
      ordered: options.ordered ?? true,
      logger: this.logger,
      tracer: this.tracer,
      metrics: new PipelineMetrics(this.meter, attrs(this.id, "pipeline", "pipeline"), () => ({
        messages: this.current?.cycle.budget.messages ?? 0,
        bytes: this.current?.cycle.budget.bytes ?? 0,
      })),
      cycleMetrics: new CycleMetrics(this.meter, this.id),
      random: options.random ?? Math.random,
      contextFor: (componentId, signal) => this.contextFor(componentId, signal),
    };
  }

  /** Opens sinks (dead-letter sink first), then transforms, then the source. */
  async open(): Promise<void> {
    if (this.state !== "new") throw new Error(`Pipeline "${this.id}" is ${this.state}; open() runs once`);
    const signal = this.lifetime.signal;
    const { deadLetter, sinks, transforms, source } = this.setup;
    await deadLetter.sink.open?.(this.contextFor(deadLetter.id, signal));
    for (const s of sinks) await s.sink.open?.(this.contextFor(s.id, signal));
    for (const t of transforms) await t.transform.open?.(this.contextFor(t.id, signal));
    await source.source.open?.({
      ...this.contextFor(source.id, signal),
      checkpoints: { get: (key) => this.store.load(key), all: () => this.store.loadAll() },
    });
    this.state = "open";
  }

  /**
   * One pass of `source.read()`: resolves when everything read was delivered or dead-lettered and
   * the checkpoints are committed, or when its `deadline` stopped it and the drain ended; messages a
   * sink could not deliver (outage) are then counted in `undelivered`, not dead-lettered. Rejects with the FatalError that stopped it (after stopping the
   * source), or with the source's own error once what it had produced is drained.
   */
  async runCycle(options: CycleOptions = {}): Promise<CycleReport> {
    if (this.state !== "open") throw new Error(`Pipeline "${this.id}" is not open (state: ${this.state})`);
    if (this.current) throw new Error(`Pipeline "${this.id}" is already running a cycle`);
    const cycle = new Cycle(this.setup, options);
    const promise = cycle.run();
    this.current = { cycle, promise };
    const started = Date.now();
    try {
      const report = await promise;
      this.setup.cycleMetrics.cycleFinished(report);
      this.logger.info({ ...report, errors: report.errors.length }, "cycle finished");
      return report;
    } catch (error) {
      this.setup.cycleMetrics.cycleFailed(error, Date.now() - started);
      throw error;
    } finally {
      this.current = undefined;
    }
  }

  /**
   * Stop the running cycle: read no more, flush batches, wait up to `timeoutMs` (default 30 s) for
   * in-flight messages, commit what was acknowledged and report what was abandoned.
   */
  async stop(options: { timeoutMs?: number } = {}): Promise<StopReport> {
    const running = this.current;
    if (!running) {
      return {
        drained: true,
        abandonedMessages: 0,
        abandonedBytes: 0,
        undelivered: {},
        checkpoints: { commits: 0, keys: 0 },
        durationMs: 0,
      };
    }
    const report = await running.cycle.stop(options.timeoutMs ?? 30_000);
    this.logger.info({ ...report }, "pipeline stopped");
    return report;
  }

  /** Stops a running cycle, then closes the source, transforms, sinks and the checkpoint store. */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.state === "closed") return;
    if (this.current) {
      await this.stop(options);
      await this.current?.promise.catch(() => {});
    }
    this.state = "closed";
    this.lifetime.abort();
    this.setup.metrics.dispose();
    this.setup.cycleMetrics.dispose();
    const { deadLetter, sinks, transforms, source } = this.setup;
    const closers = [
      () => source.source.close?.(),
      ...transforms.map((t) => () => t.transform.close?.()),
      ...sinks.map((s) => () => s.sink.close?.()),
      () => deadLetter.sink.close?.(),
      () => this.store.close?.(),
    ];
    let firstError: unknown;
    for (const close of closers) {
      try {
        await close();
      } catch (error) {
        this.logger.error({ err: error }, "component failed to close");
        firstError ??= error;
      }
    }
    if (firstError !== undefined) throw firstError;
  }

  private contextFor(componentId: string, signal: AbortSignal): ComponentContext {
    return {
      componentId,
      logger: this.logger.child({ component: componentId }),
      meter: this.meter,
      tracer: this.tracer,
      signal,
    };
  }
}

function positive(name: string, value: number): void {
  if (!(value > 0)) {
    throw new ConfigError(`${name} must be a positive number, got ${value}`, [
      { path: name.split("."), message: "must be positive" },
    ]);
  }
}

/** open → one cycle → close; the close runs even when the cycle fails. */
export async function runPipeline(options: PipelineOptions): Promise<CycleReport> {
  const pipeline = new Pipeline(options);
  try {
    await pipeline.open();
    return await pipeline.runCycle();
  } finally {
    await pipeline.close();
  }
}
