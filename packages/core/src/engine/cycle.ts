import type { Tracer } from "@opentelemetry/api";
import type { CheckpointStore } from "../contracts/checkpoint.js";
import type { ComponentContext, Logger } from "../contracts/context.js";
import type { Message } from "../contracts/message.js";
import type { Sink } from "../contracts/sink.js";
import type { Source, SourceChunk, SourceContext } from "../contracts/source.js";
import type { Transform, TransformResult } from "../contracts/transform.js";
import { FatalError } from "../errors/classified-errors.js";
import type { CycleReport, ErrorSummary, StopReport } from "../pipeline/reports.js";
import type { RetryPolicy } from "../retry/backoff.js";
import type { ComponentAttributes, PipelineMetrics } from "../telemetry/pipeline-metrics.js";
import { CheckpointOrdering, ChunkState, Origin } from "./ack-tracking.js";
import { CheckpointCommitter, type CommitPolicy } from "./checkpoint-committer.js";
import { DeadLetterWriter, deadLetterRecord } from "./dead-letters.js";
import { type Budget, InFlightBudget } from "./in-flight-budget.js";
import { type BatchPolicy, type DeliveryHost, type Failure, SinkRunner } from "./sink-runner.js";

/** Everything a cycle needs, prepared once by the Pipeline. */
export interface CycleSetup {
  readonly pipelineId: string;
  readonly source: { readonly id: string; readonly source: Source; readonly attrs: ComponentAttributes };
  readonly transforms: readonly {
    readonly id: string;
    readonly transform: Transform;
    readonly attrs: ComponentAttributes;
  }[];
  readonly sinks: readonly {
    readonly id: string;
    readonly sink: Sink;
    readonly attrs: ComponentAttributes;
    readonly batch: BatchPolicy;
    readonly retry: RetryPolicy;
    readonly concurrency: number;
  }[];
  readonly deadLetter: { readonly id: string; readonly sink: Sink };
  readonly checkpointStore: CheckpointStore;
  readonly commitPolicy: CommitPolicy;
  readonly budget: Budget;
  readonly transformConcurrency: number;
  readonly ordered: boolean;
  readonly logger: Logger;
  readonly tracer: Tracer;
  readonly metrics: PipelineMetrics;
  readonly random: () => number;
  /** Base context (meter, tracer, logger) for a component, given this cycle's abort signal. */
  readonly contextFor: (componentId: string, signal: AbortSignal) => ComponentContext;
}

/** Output messages waiting to go to the sinks, with the source message each one answers for. */
interface Segment {
  messages: Message[];
  origins: Origin[];
}

/** A chunk's outputs in ordered mode: emitted once all its async messages are done and earlier chunks went. */
interface ChunkOutput {
  readonly segments: Segment[];
  pending: number;
  sealed: boolean;
}

/** Per-cycle limits the runner sets (a one-shot run's deadline). */
export interface CycleOptions {
  /**
   * Epoch ms at which the cycle stops reading and drains as `stop(drainTimeoutMs)` does: what was
   * read is delivered if it can be, what cannot is left unacknowledged for the next cycle.
   */
  readonly deadline?: number;
  /** How long the drain after the deadline may take before in-flight work is abandoned (default 30 s). */
  readonly drainTimeoutMs?: number;
}

const newSegment = (): Segment => ({ messages: [], origins: [] });
const MAX_ERROR_KINDS = 100;

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}

function isMessage(value: unknown): value is Message {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Message).id === "string" &&
    typeof (value as Message).sizeBytes === "number"
  );
}

/**
 * One pass of `source.read()`: pulls chunks while the in-flight budget has room, runs transforms
 * (synchronously when they are, so a chunk costs no promise per message), hands outputs to the sink
 * runners, and turns acknowledgements into checkpoint commits.
 */
export class Cycle implements DeliveryHost {
  private readonly controller = new AbortController();
  private readonly stopController = new AbortController();
  readonly budget: InFlightBudget;
  readonly counters = { retries: 0, sent: new Map<string, number>() };
  readonly metrics: PipelineMetrics;
  readonly tracer: Tracer;
  readonly random: () => number;
  private readonly logger: Logger;
  private readonly ordering: CheckpointOrdering;
  private readonly committer: CheckpointCommitter;
  private readonly runners: SinkRunner[];
  private readonly deadLetters: DeadLetterWriter;
  private readonly stages: {
    id: string;
    transform: Transform;
    attrs: ComponentAttributes;
    ctx: ComponentContext;
  }[];
  private readonly stageIn: number[];
  private readonly stageInBytes: number[];
  private readonly stageOut: number[];
  private readonly stageOutBytes: number[];
  private readonly sinkCount: number;
  private readonly errorKinds = new Map<string, ErrorSummary>();
  private readonly emitQueue: ChunkOutput[] = [];
  private readonly started = Date.now();

  private received = 0;
  private receivedBytes = 0;
  private deadLettered = 0;
  private abandoned = 0;
  private abandonedBytes = 0;
  private asyncActive = 0;
  private slotWaiter: (() => void) | undefined;
  private fatal: FatalError | undefined;
  private sourceError: unknown;
  private stopping = false;
  /** The drain of a stop (or of the deadline): started once, later stops wait for it. */
  private draining: Promise<boolean> | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private deadlineReached = false;
  /** Source messages a sink could not deliver: released from the budget, never acknowledged. */
  private unacknowledged = 0;
  private readonly downSinks = new Set<string>();
  /** Per sink, messages still pending when a stop gave up waiting (abandoned, hence undelivered). */
  private readonly abandonedBySink = new Map<string, number>();
  giveUpAt = Number.POSITIVE_INFINITY;
  /** Set once the outcome is decided: later acknowledgements (after an abandoning stop) are ignored. */
  private finished = false;
  private resolveDone!: () => void;
  private readonly done = new Promise<void>((resolve) => {
    this.resolveDone = resolve;
  });

  constructor(
    private readonly setup: CycleSetup,
    private readonly options: CycleOptions = {},
  ) {
    this.budget = new InFlightBudget(setup.budget);
    this.metrics = setup.metrics;
    this.tracer = setup.tracer;
    this.random = setup.random;
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
    );
    this.ordering = new CheckpointOrdering((key, position, covered) =>
      this.committer.schedule(key, position, () => this.releaseHeld(covered)),
    );
    this.runners = setup.sinks.map(
      (s) =>
        new SinkRunner(
          s.id,
          s.sink,
          s.batch,
          s.retry,
          s.concurrency,
          s.attrs,
          setup.contextFor(s.id, this.signal),
          this,
        ),
    );
    this.sinkCount = this.runners.length;
    this.deadLetters = new DeadLetterWriter(
      setup.deadLetter.sink,
      setup.deadLetter.id,
      () => setup.contextFor(setup.deadLetter.id, this.signal),
      (error) => this.fail(error),
    );
    this.stages = setup.transforms.map((t) => ({ ...t, ctx: setup.contextFor(t.id, this.signal) }));
    this.stageIn = this.stages.map(() => 0);
    this.stageInBytes = this.stages.map(() => 0);
    this.stageOut = this.stages.map(() => 0);
    this.stageOutBytes = this.stages.map(() => 0);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stopSignal(): AbortSignal {
    return this.stopController.signal;
  }

  async run(): Promise<CycleReport> {
    const ctx: SourceContext = {
      ...this.setup.contextFor(this.setup.source.id, this.signal),
      checkpoints: {
        get: (key) => this.setup.checkpointStore.load(key),
        all: () => this.setup.checkpointStore.loadAll(),
      },
    };
    const { deadline } = this.options;
    if (deadline !== undefined) {
      this.deadlineTimer = setTimeout(() => this.onDeadline(), Math.max(0, deadline - Date.now()));
    }
    await this.pullLoop(ctx);
    for (const runner of this.runners) runner.endInput();
    this.budget.whenIdle(() => this.finish());
    await this.done;
    clearTimeout(this.deadlineTimer);
    if (this.draining) await this.draining;
    await this.committer.settle();
    for (const runner of this.runners) runner.dispose();
    this.flushStageMetrics();
    if (this.fatal) throw this.fatal;
    if (this.sourceError !== undefined) throw this.sourceError;
    return this.report();
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
      undelivered: this.undeliveredBySink(),
      checkpoints: this.committer.stats,
      durationMs: Date.now() - started,
    };
  }

  private onDeadline(): void {
    if (this.finished || this.draining) return;
    this.deadlineReached = true;
    const timeoutMs = this.options.drainTimeoutMs ?? 30_000;
    this.logger.info(
      { drainTimeoutMs: timeoutMs, inFlightMessages: this.budget.messages },
      "deadline reached: no more reading; draining what was read (the rest is left for the next run)",
    );
    void this.drain(timeoutMs);
    for (const runner of this.runners) runner.dropUnstarted();
  }

  /** Stops reading and flushes what is batched; the cycle ends once what is in flight settles. */
  private stopReading(): void {
    this.stopping = true;
    this.budget.wakeRoom();
    for (const runner of this.runners) runner.endInput();
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
      this.finished = true;
      this.controller.abort();
      this.wakeSlot();
      this.resolveDone();
      await this.committer.settle();
      return drained;
    })();
    return this.draining;
  }

  private abandonInFlight(timeoutMs: number): void {
    this.abandoned += this.budget.messages;
    this.abandonedBytes = this.budget.bytes;
    for (const runner of this.runners) {
      if (runner.pendingMessages > 0) this.abandonedBySink.set(runner.id, runner.pendingMessages);
    }
    this.logger.warn(
      { abandonedMessages: this.abandoned, abandonedBytes: this.abandonedBytes, timeoutMs },
      "stop timed out: abandoning in-flight messages (they stay uncommitted and will be read again)",
    );
  }

  private unsentBySink(): Record<string, number> {
    return Object.fromEntries(this.runners.map((r) => [r.id, r.unsent]));
  }

  private undeliveredBySink(): Record<string, number> {
    return Object.fromEntries(
      this.runners.map((r) => [r.id, r.undelivered + (this.abandonedBySink.get(r.id) ?? 0)]),
    );
  }

  // ---- DeliveryHost -------------------------------------------------------------------------

  ack(origin: Origin): void {
    if (this.finished) return;
    if (--origin.remaining > 0) return;
    const size = origin.sizeBytes;
    if (origin.left) {
      // Never acknowledged: its chunk stays pending, so no checkpoint of its key passes it.
      this.budget.release(1, size);
      this.unacknowledged++;
      return;
    }
    const chunk = origin.chunk;
    if (chunk.key === undefined) this.budget.release(1, size);
    else {
      // Delivered but not yet committed: a crash now would send it again, so it keeps its budget
      // until the checkpoint covering it is durable (crash duplicates stay within the budget).
      this.budget.hold(1, size);
      chunk.heldMessages++;
      chunk.heldBytes += size;
    }
    if (--chunk.pending === 0) this.ordering.chunkDone(chunk);
  }

  private releaseHeld(chunks: readonly ChunkState[]): void {
    let messages = 0;
    let bytes = 0;
    for (const chunk of chunks) {
      messages += chunk.heldMessages;
      bytes += chunk.heldBytes;
      chunk.heldMessages = 0;
      chunk.heldBytes = 0;
    }
    this.budget.releaseHeld(messages, bytes);
  }

  /**
   * The budget is full: if part of it waits for a commit, write now instead of at the interval;
   * what no commit can cover yet (chunks waiting for a later checkpoint) is let go, else reading
   * would wait for a checkpoint it cannot read.
   */
  private freeHeldBudget(): void {
    if (this.budget.heldMessages === 0 && this.budget.heldBytes === 0) return;
    if (this.committer.busy) {
      this.committer.flush();
      this.committer.whenWritten(() => this.budget.wakeRoom());
    } else {
      this.releaseHeld(this.ordering.uncovered());
    }
  }

  /** The delivery that failed is replaced by a dead-letter write, which acknowledges `origin` once stored. */
  deadLetter(origin: Origin, message: Message, failure: Failure): void {
    this.deadLettered++;
    const record = deadLetterRecord(this.setup.pipelineId, message, failure, Date.now());
    this.deadLetters.write(record, () => this.ack(origin));
  }

  leave(origin: Origin): void {
    origin.left = true;
    this.ack(origin);
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
    if (this.finished) return;
    this.abandoned += this.budget.messages;
    this.abandonedBytes = this.budget.bytes;
    this.stopping = true;
    this.stopController.abort();
    this.finished = true;
    this.controller.abort();
    this.budget.wakeRoom();
    this.wakeSlot();
    this.resolveDone();
  }

  noteError(failure: Omit<Failure, "attempts">): void {
    const message = failure.error instanceof Error ? failure.error.message : String(failure.error);
    const key = `${failure.stage}\u0000${failure.component}\u0000${failure.errorClass}\u0000${message}`;
    const known = this.errorKinds.get(key);
    if (known) known.count++;
    else if (this.errorKinds.size < MAX_ERROR_KINDS) {
      this.errorKinds.set(key, {
        stage: failure.stage,
        component: failure.component,
        errorClass: failure.errorClass,
        message,
        count: 1,
      });
    }
  }

  // ---- source -------------------------------------------------------------------------------

  private async pullLoop(ctx: SourceContext): Promise<void> {
    const source = this.setup.source;
    let iterator: AsyncIterator<SourceChunk>;
    try {
      iterator = source.source.read(ctx)[Symbol.asyncIterator]();
    } catch (error) {
      this.onSourceError(error);
      return;
    }
    let ended = false;
    try {
      while (!this.stopping) {
        if (!this.budget.hasRoom()) {
          this.freeHeldBudget();
          if (this.budget.hasRoom()) continue;
          await this.budget.waitForRoom();
          continue;
        }
        const next = await iterator.next();
        if (next.done) {
          ended = true;
          break;
        }
        // A chunk is admitted only once it fits: what is delivered and not yet committed (all a crash
        // can make a restart send again) then never exceeds the budget; memory is budget + this chunk.
        await this.waitToFit(next.value);
        if (this.stopping) {
          // Read but never admitted: not acknowledged, so the source will deliver it again.
          this.abandoned += next.value.messages.length;
          break;
        }
        const admitting = this.admit(next.value);
        if (admitting) await admitting;
      }
    } catch (error) {
      ended = true; // a generator that threw is finished; return() would be a no-op
      this.onSourceError(error);
    }
    if (!ended && iterator.return) {
      try {
        await iterator.return(undefined);
      } catch (error) {
        this.logger.warn({ err: error }, "source failed while being stopped");
      }
    }
  }

  private onSourceError(error: unknown): void {
    if (error instanceof FatalError) {
      this.fail(error);
      return;
    }
    if (this.signal.aborted) return; // the source gave up because we asked it to
    this.sourceError = error;
    // A source error may declare its class (`class: "fatal"` for rejected credentials…): count it so.
    const declared = (error as { class?: unknown } | null)?.class;
    const errorClass = declared === "fatal" || declared === "poison" ? declared : "retryable";
    this.metrics.error(this.setup.source.attrs, "source", errorClass);
    this.noteError({ stage: "source", component: this.setup.source.id, error, errorClass });
    this.logger.error({ err: error }, "source failed; draining what was already read");
  }

  private async waitToFit(chunk: SourceChunk): Promise<void> {
    const count = chunk.messages.length + (chunk.rejected?.length ?? 0);
    if (count === 0) return;
    let bytes = 0;
    for (const m of chunk.messages) bytes += m.sizeBytes;
    for (const r of chunk.rejected ?? []) bytes += r.message.sizeBytes;
    while (!this.stopping && !this.budget.fits(count, bytes)) {
      this.freeHeldBudget();
      if (this.budget.fits(count, bytes)) return;
      await this.budget.waitForRoom();
    }
  }

  private admit(chunk: SourceChunk): Promise<void> | undefined {
    // Rows the source could not decode ride along with the chunk, so they are dead-lettered in order
    // and count towards its checkpoint like every other message.
    const rejected = chunk.rejected;
    const messages = rejected?.length
      ? [...chunk.messages, ...rejected.map((r) => r.message)]
      : chunk.messages;
    const state = new ChunkState(chunk.checkpoint, messages.length, chunk.partition);
    if (rejected?.length) state.rejected = new Map(rejected.map((r) => [r.message, r.error.message]));
    this.ordering.admit(state);
    if (messages.length === 0) {
      this.ordering.chunkDone(state);
      return undefined;
    }
    let bytes = 0;
    for (let i = 0; i < messages.length; i++) bytes += messages[i]!.sizeBytes;
    this.budget.admit(messages.length, bytes);
    this.received += messages.length;
    this.receivedBytes += bytes;
    this.metrics.received(this.setup.source.attrs, messages.length, bytes);
    const output: ChunkOutput | undefined = this.setup.ordered
      ? { segments: [newSegment()], pending: 0, sealed: false }
      : undefined;
    if (output) this.emitQueue.push(output);
    return this.transformFrom(state, messages, 0, output, output ? output.segments[0]! : newSegment());
  }

  // ---- transforms ---------------------------------------------------------------------------

  /** Runs messages[from..] through the transforms; returns a promise only if it has to wait for a slot. */
  private transformFrom(
    state: ChunkState,
    messages: readonly Message[],
    from: number,
    output: ChunkOutput | undefined,
    segment: Segment,
  ): Promise<void> | undefined {
    const limit = this.setup.transformConcurrency;
    for (let i = from; i < messages.length; i++) {
      if (this.fatal) return undefined; // stopping: the rest stays unacknowledged, hence uncommitted
      if (this.asyncActive >= limit) {
        if (!output) this.emit(segment);
        const rest = output ? segment : newSegment();
        return this.waitForSlot().then(() => this.transformFrom(state, messages, i, output, rest));
      }
      const message = messages[i]!;
      const origin = new Origin(state, message);
      const rejectedReason = state.rejected?.get(message);
      if (rejectedReason !== undefined) {
        this.invalidFromSource(origin, message, rejectedReason);
        continue;
      }
      const mark = segment.messages.length;
      const pending = this.runStage(message, origin, 0, segment);
      if (pending === undefined) {
        this.ack(origin); // release the transform hold
        continue;
      }
      this.asyncActive++;
      let own: Segment;
      if (output) {
        // This message's outputs end `segment`; later messages continue in a fresh one.
        own = segment;
        output.pending++;
        segment = newSegment();
        output.segments.push(segment);
      } else {
        // The pending message keeps writing into `segment`: send what earlier messages put there
        // now, leave it to this message, and go on in a fresh one.
        if (mark > 0) {
          this.emit({ messages: segment.messages.splice(0, mark), origins: segment.origins.splice(0, mark) });
        }
        own = segment;
        segment = newSegment();
      }
      pending.then(
        () => {
          this.asyncActive--;
          this.wakeSlot();
          if (output) {
            output.pending--;
            this.drainEmitQueue();
          } else this.emit(own);
          this.ack(origin);
        },
        (error: unknown) => this.fail(new FatalError(`Internal error in transform stage: ${String(error)}`)),
      );
    }
    this.flushStageMetrics();
    if (output) {
      output.sealed = true;
      this.drainEmitQueue();
    } else this.emit(segment);
    return undefined;
  }

  private runStage(message: Message, origin: Origin, stage: number, out: Segment): Promise<void> | undefined {
    if (stage === this.stages.length) {
      out.messages.push(message);
      out.origins.push(origin);
      origin.remaining += this.sinkCount;
      return undefined;
    }
    const current = this.stages[stage]!;
    this.stageIn[stage]!++;
    this.stageInBytes[stage]! += message.sizeBytes;
    let result: TransformResult<unknown> | Promise<TransformResult<unknown>>;
    try {
      result = current.transform.transform(message, current.ctx);
    } catch (error) {
      this.transformFailed(origin, message, stage, error);
      return undefined;
    }
    if (isPromiseLike(result)) {
      return Promise.resolve(result).then(
        (value) => this.afterStage(value, message, origin, stage, out),
        (error: unknown) => this.transformFailed(origin, message, stage, error),
      );
    }
    return this.afterStage(result, message, origin, stage, out);
  }

  private afterStage(
    result: TransformResult<unknown>,
    input: Message,
    origin: Origin,
    stage: number,
    out: Segment,
  ): Promise<void> | undefined {
    if (result === null || result === undefined) return undefined;
    if (isMessage(result)) {
      this.stageOut[stage]!++;
      this.stageOutBytes[stage]! += result.sizeBytes;
      return this.runStage(result, origin, stage + 1, out);
    }
    if (Array.isArray(result)) {
      let pending: Promise<void>[] | undefined;
      for (const child of result as unknown[]) {
        if (!isMessage(child)) {
          this.transformFailed(
            origin,
            input,
            stage,
            new TypeError("returned an array containing a non-Message"),
          );
          continue;
        }
        this.stageOut[stage]!++;
        this.stageOutBytes[stage]! += child.sizeBytes;
        const p = this.runStage(child, origin, stage + 1, out);
        if (p) {
          pending ??= [];
          pending.push(p);
        }
      }
      return pending && Promise.all(pending).then(() => undefined);
    }
    this.transformFailed(
      origin,
      input,
      stage,
      new TypeError(`returned ${typeof result}, not a Message, an array of Messages, null or undefined`),
    );
    return undefined;
  }

  private transformFailed(origin: Origin, message: Message, stage: number, error: unknown): void {
    const current = this.stages[stage]!;
    if (error instanceof FatalError) {
      this.metrics.error(current.attrs, "transform", "fatal");
      this.fail(error);
      return;
    }
    this.metrics.error(current.attrs, "transform", "poison");
    this.metrics.deadLettered(current.attrs, 1);
    this.noteError({ stage: "transform", component: current.id, error, errorClass: "poison" });
    origin.remaining++;
    this.deadLetter(origin, message, {
      stage: "transform",
      component: current.id,
      attempts: 1,
      error,
      errorClass: "poison",
    });
  }

  private invalidFromSource(origin: Origin, message: Message, reason: string): void {
    const source = this.setup.source;
    const error = new Error(reason);
    this.metrics.error(source.attrs, "source", "poison");
    this.metrics.deadLettered(source.attrs, 1);
    this.noteError({ stage: "source", component: source.id, error, errorClass: "poison" });
    // The transform hold becomes the dead-letter write.
    this.deadLetter(origin, message, {
      stage: "source",
      component: source.id,
      attempts: 1,
      error,
      errorClass: "poison",
    });
  }

  private waitForSlot(): Promise<void> {
    return new Promise((resolve) => {
      this.slotWaiter = resolve;
    });
  }

  private wakeSlot(): void {
    const wake = this.slotWaiter;
    this.slotWaiter = undefined;
    wake?.();
  }

  // ---- sinks --------------------------------------------------------------------------------

  private drainEmitQueue(): void {
    while (this.emitQueue.length > 0) {
      const head = this.emitQueue[0]!;
      if (!head.sealed || head.pending > 0) return;
      this.emitQueue.shift();
      for (const segment of head.segments) this.emit(segment);
    }
  }

  private emit(segment: Segment): void {
    if (segment.messages.length === 0 || this.finished) return;
    for (const runner of this.runners) runner.enqueue(segment.messages, segment.origins);
  }

  // ---- bookkeeping --------------------------------------------------------------------------

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.resolveDone();
  }

  private flushStageMetrics(): void {
    for (let s = 0; s < this.stages.length; s++) {
      const attrs = this.stages[s]!.attrs;
      this.metrics.received(attrs, this.stageIn[s]!, this.stageInBytes[s]!);
      this.metrics.sent(attrs, this.stageOut[s]!, this.stageOutBytes[s]!);
      this.stageIn[s] = 0;
      this.stageInBytes[s] = 0;
      this.stageOut[s] = 0;
      this.stageOutBytes[s] = 0;
    }
  }

  private report(): CycleReport {
    return {
      pipeline: this.setup.pipelineId,
      received: this.received,
      receivedBytes: this.receivedBytes,
      sent: Object.fromEntries(this.setup.sinks.map((s) => [s.id, this.counters.sent.get(s.id) ?? 0])),
      deadLettered: this.deadLettered,
      retries: this.counters.retries,
      checkpoints: this.committer.stats,
      durationMs: Date.now() - this.started,
      errors: [...this.errorKinds.values()],
      stopped: this.draining !== undefined && !this.deadlineReached && !this.fatal,
      deadlineReached: this.deadlineReached,
      undelivered: this.undeliveredBySink(),
      unsent: this.unsentBySink(),
      unacknowledged: this.unacknowledged,
      abandoned: this.abandoned,
    };
  }
}
