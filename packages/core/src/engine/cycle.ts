import type { Logger } from "../contracts/context.js";
import type { SourceContext } from "../contracts/source.js";
import { FatalError } from "../errors/classified-errors.js";
import { CycleTrace } from "../telemetry/cycle-trace.js";
import type { SinkCycle } from "./batch-writer.js";
import { CheckpointCommitter } from "./checkpoint-committer.js";
import { cycleReport } from "./cycle-report.js";
import type { CycleOptions, CycleSetup } from "./cycle-setup.js";
import { DeadLetterWriter } from "./dead-letters.js";
import { AckLedger } from "./delivery.js";
import { ErrorSummaries } from "./error-summary.js";
import { SinkFanOut } from "./fan-out.js";
import { InFlightBudget } from "./in-flight-budget.js";
import type { CycleReport, StopReport } from "./reports.js";
import { SinkRunner } from "./sink-runner.js";
import { SourceReader, type SourceReaderCycle } from "./source-reader.js";
import { TransformChain, type TransformChainCycle } from "./transform-chain.js";

/**
 * One pass of `source.read()`: pulls chunks while the in-flight budget has room, runs transforms
 * (synchronously when they are, so a chunk costs no promise per message), hands outputs to the sink
 * runners, and turns acknowledgements into checkpoint commits. The Cycle itself is the lifecycle:
 * how it ends (source done, stop, deadline, fatal error) and what it reports.
 */
export class Cycle implements SinkCycle, TransformChainCycle, SourceReaderCycle {
  private readonly controller = new AbortController();
  private readonly stopController = new AbortController();
  readonly budget: InFlightBudget;
  private readonly logger: Logger;
  private readonly committer: CheckpointCommitter;
  private readonly errors = new ErrorSummaries();
  private readonly ledger: AckLedger;
  private readonly fanOut: SinkFanOut;
  private readonly chain: TransformChain;
  private readonly reader: SourceReader;
  private readonly started = Date.now();
  /** The cycle's span: parent of its reads, stage summaries and batch writes. */
  readonly trace: CycleTrace;

  /** Set by `fail()` only; the transform chain checks it for every message. */
  fatal: FatalError | undefined;
  /** Set once reading must stop (stop, deadline, sink down, fatal error). */
  stopping = false;
  /** In-flight messages given up on (by a stop that timed out or a fatal error). */
  private abandonedInFlight = 0;
  private abandonedBytes = 0;
  /** The drain of a stop (or of the deadline): started once, later stops wait for it. */
  private draining: Promise<boolean> | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private deadlineReached = false;
  private readonly downSinks = new Set<string>();
  giveUpAt = Number.POSITIVE_INFINITY;
  private resolveDone!: () => void;
  private readonly done = new Promise<void>((resolve) => {
    this.resolveDone = resolve;
  });

  constructor(
    private readonly setup: CycleSetup,
    private readonly options: CycleOptions = {},
  ) {
    this.budget = new InFlightBudget(setup.budget);
    this.trace = new CycleTrace(setup.tracer, setup.pipelineId);
    this.logger = setup.logger;
    this.committer = new CheckpointCommitter(
      setup.checkpointStore,
      (error) =>
        this.fail(
          new FatalError(`Checkpoint store failed to commit: ${(error as Error)?.message ?? String(error)}`, {
            cause: error,
          }),
        ),
      setup.commitPolicy,
      () => setup.cycleMetrics.checkpointCommitted(),
    );
    this.ledger = new AckLedger({
      pipelineId: setup.pipelineId,
      budget: this.budget,
      committer: this.committer,
      deadLetters: new DeadLetterWriter(
        setup.deadLetter.sink,
        setup.deadLetter.id,
        () => setup.contextFor(setup.deadLetter.id, this.signal),
        (error) => this.fail(error),
      ),
    });
    const runners = setup.sinks.map(
      (s) =>
        new SinkRunner({
          ...s,
          context: setup.contextFor(s.id, this.signal),
          delivery: this.ledger,
          cycle: this,
          errors: this.errors,
          metrics: setup.metrics,
          tracer: setup.tracer,
          random: setup.random,
        }),
    );
    this.fanOut = new SinkFanOut(runners, this.ledger);
    this.chain = new TransformChain({
      transforms: setup.transforms,
      source: setup.source,
      concurrency: setup.transformConcurrency,
      ordered: setup.ordered,
      contextFor: (componentId) => setup.contextFor(componentId, this.signal),
      cycle: this,
      ledger: this.ledger,
      fanOut: this.fanOut,
      errors: this.errors,
      metrics: setup.metrics,
    });
    this.reader = new SourceReader({
      source: setup.source,
      cycle: this,
      budget: this.budget,
      ledger: this.ledger,
      chain: this.chain,
      errors: this.errors,
      metrics: setup.metrics,
      logger: this.logger,
    });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stopSignal(): AbortSignal {
    return this.stopController.signal;
  }

  /** One pass, traced: the cycle's span is active while it runs, so the source's spans nest in it. */
  async run(): Promise<CycleReport> {
    try {
      const report = await this.trace.within(() => this.pass());
      this.trace.finished(report);
      return report;
    } catch (error) {
      this.trace.failed(error);
      throw error;
    }
  }

  private async pass(): Promise<CycleReport> {
    const base = this.setup.contextFor(this.setup.source.id, this.signal);
    const ctx: SourceContext = {
      ...base,
      // The source's spans nest in the cycle's without relying on a context manager.
      tracer: this.trace.tracerFor(base.tracer),
      checkpoints: {
        get: (key) => this.setup.checkpointStore.load(key),
        all: () => this.setup.checkpointStore.loadAll(),
      },
    };
    const { deadline } = this.options;
    if (deadline !== undefined) {
      this.deadlineTimer = setTimeout(() => this.onDeadline(), Math.max(0, deadline - Date.now()));
    }
    await this.reader.pull(ctx);
    this.fanOut.endInput();
    this.budget.whenIdle(() => this.finish());
    await this.done;
    clearTimeout(this.deadlineTimer);
    if (this.draining) await this.draining;
    await this.committer.settle();
    this.fanOut.dispose();
    this.chain.flushMetrics();
    this.chain.traceStages(this.trace, this.setup.tracer);
    if (this.fatal) throw this.fatal;
    if (this.reader.error !== undefined) throw this.reader.error;
    return cycleReport({
      pipelineId: this.setup.pipelineId,
      started: this.started,
      reader: this.reader,
      ledger: this.ledger,
      fanOut: this.fanOut,
      committer: this.committer,
      errors: this.errors,
      stopped: this.draining !== undefined && !this.deadlineReached && !this.fatal,
      deadlineReached: this.deadlineReached,
      abandoned: this.abandoned,
    });
  }

  /**
   * Stop reading, flush batches, wait up to `timeoutMs` for what is in flight, then give up on the
   * rest. Retries that would start after the timeout are not made: those messages are left for the
   * next cycle. Once nothing is in flight the cycle's signal is aborted so a source blocked in a
   * fetch gives up too (a chunk it still returns is not admitted). A stop during the deadline's
   * drain waits for that drain.
   */
  async stop(timeoutMs: number): Promise<StopReport> {
    const started = Date.now();
    const drained = await this.drain(timeoutMs);
    return {
      drained: drained && !this.fatal,
      abandonedMessages: this.abandoned,
      abandonedBytes: this.abandonedBytes,
      undelivered: this.fanOut.undeliveredBySink(),
      checkpoints: this.committer.stats,
      durationMs: Date.now() - started,
    };
  }

  sinkDown(sinkId: string, error: unknown): void {
    if (this.downSinks.has(sinkId)) return;
    this.downSinks.add(sinkId);
    this.logger.warn(
      { sink: sinkId, err: error },
      `sink "${sinkId}" is unavailable (retries ran out): reading stops for this cycle; what it could not deliver is not dead-lettered and stays uncommitted for the next cycle`,
    );
    if (!this.stopping) this.stopReading();
  }

  fail(error: FatalError): void {
    if (this.fatal) return;
    this.fatal = error;
    this.logger.error({ err: error }, "pipeline stopped by a fatal error");
    // A checkpoint commit can fail after everything was delivered: nothing is left to stop, but the
    // cycle must still end with the error rather than look successful.
    if (this.ledger.closed) return;
    this.abandonedInFlight += this.budget.messages;
    this.abandonedBytes = this.budget.bytes;
    this.stopping = true;
    this.stopController.abort();
    this.ledger.closed = true;
    this.controller.abort();
    this.budget.wakeRoom();
    this.chain.wakeSlot();
    this.resolveDone();
  }

  /** Source messages neither acknowledged nor dead-lettered: given up on in flight, or read and never admitted. */
  private get abandoned(): number {
    return this.abandonedInFlight + this.reader.unadmitted;
  }

  private onDeadline(): void {
    if (this.ledger.closed || this.draining) return;
    this.deadlineReached = true;
    const timeoutMs = this.options.drainTimeoutMs ?? 30_000;
    this.logger.info(
      { drainTimeoutMs: timeoutMs, inFlightMessages: this.budget.messages },
      "deadline reached: no more reading; draining what was read (the rest is left for the next run)",
    );
    void this.drain(timeoutMs);
    this.fanOut.dropUnstarted();
  }

  /** Stops reading and flushes what is batched; the cycle ends once what is in flight settles. */
  private stopReading(): void {
    this.stopping = true;
    this.budget.wakeRoom();
    this.fanOut.endInput();
  }

  private drain(timeoutMs: number): Promise<boolean> {
    if (this.draining) return this.draining;
    this.giveUpAt = Date.now() + timeoutMs;
    this.stopController.abort();
    this.stopReading();
    this.draining = (async () => {
      const drained = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        const settle = () => {
          clearTimeout(timer);
          resolve(true);
        };
        this.budget.whenIdle(settle);
        void this.done.then(settle);
      });
      if (!drained) this.abandonInFlight(timeoutMs);
      this.ledger.closed = true;
      this.controller.abort();
      this.chain.wakeSlot();
      this.resolveDone();
      await this.committer.settle();
      return drained;
    })();
    return this.draining;
  }

  private abandonInFlight(timeoutMs: number): void {
    this.abandonedInFlight += this.budget.messages;
    this.abandonedBytes = this.budget.bytes;
    this.fanOut.abandonPending();
    this.logger.warn(
      { abandonedMessages: this.abandoned, abandonedBytes: this.abandonedBytes, timeoutMs },
      "stop timed out: abandoning in-flight messages (they stay uncommitted and will be read again)",
    );
  }

  private finish(): void {
    if (this.ledger.closed) return;
    this.ledger.closed = true;
    this.resolveDone();
  }
}
