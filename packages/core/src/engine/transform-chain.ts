import type { Tracer } from "@opentelemetry/api";
import type { ComponentContext } from "../contracts/context.js";
import type { Message } from "../contracts/message.js";
import { isPromiseLike, type Transform, type TransformResult } from "../contracts/transform.js";
import { FatalError } from "../errors/classified-errors.js";
import { BufferedStageMetrics } from "../telemetry/buffered-stage-metrics.js";
import type { CycleTrace } from "../telemetry/cycle-trace.js";
import type { ComponentAttributes, PipelineMetrics } from "../telemetry/pipeline-metrics.js";
import { WorkerStageFailure } from "../workers/worker-wire.js";
import { type ChunkState, Origin } from "./ack-tracking.js";
import type { AckLedger } from "./delivery.js";
import type { ErrorSummaries } from "./error-summary.js";
import { newSegment, type Segment, type SinkFanOut } from "./fan-out.js";
import { type ChunkOutput, OrderedOutput } from "./ordered-output.js";
import { nextMacrotask, sliceEndsAt, sliceIsOver } from "./time-slice.js";

/** What the transform chain needs from the cycle's lifecycle. */
export interface TransformChainCycle {
  readonly fatal: FatalError | undefined;
  fail(error: FatalError): void;
}

export interface TransformChainOptions {
  readonly transforms: readonly {
    readonly id: string;
    readonly transform: Transform;
    readonly attrs: ComponentAttributes;
  }[];
  readonly source: { readonly id: string; readonly attrs: ComponentAttributes };
  /** Messages inside asynchronous transforms at once. */
  readonly concurrency: number;
  readonly ordered: boolean;
  readonly contextFor: (componentId: string) => ComponentContext;
  readonly cycle: TransformChainCycle;
  readonly ledger: AckLedger;
  readonly fanOut: SinkFanOut;
  readonly errors: ErrorSummaries;
  readonly metrics: PipelineMetrics;
}

interface Stage {
  readonly id: string;
  readonly transform: Transform;
  readonly attrs: ComponentAttributes;
  readonly ctx: ComponentContext;
  readonly counts: BufferedStageMetrics;
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
 * Runs a chunk's messages through the transforms, synchronously when they are (so a chunk costs no
 * promise per message), at most `concurrency` messages waiting on asynchronous ones, and hands the
 * outputs to the sinks (in source order when `ordered`).
 */
export class TransformChain {
  private readonly stages: Stage[];
  private readonly source: TransformChainOptions["source"];
  private readonly concurrency: number;
  /** Only when source order is kept: asynchronous outputs then wait for earlier chunks'. */
  private readonly ordered: OrderedOutput | undefined;
  private readonly cycle: TransformChainCycle;
  private readonly ledger: AckLedger;
  private readonly fanOut: SinkFanOut;
  private readonly errors: ErrorSummaries;
  private readonly metrics: PipelineMetrics;
  private readonly sinkCount: number;
  private asyncActive = 0;
  private slotWaiter: (() => void) | undefined;

  constructor(options: TransformChainOptions) {
    this.stages = options.transforms.map((t) => ({
      ...t,
      ctx: options.contextFor(t.id),
      counts: new BufferedStageMetrics(t.attrs),
    }));
    this.source = options.source;
    this.concurrency = options.concurrency;
    this.ordered = options.ordered ? new OrderedOutput(options.fanOut) : undefined;
    this.cycle = options.cycle;
    this.ledger = options.ledger;
    this.fanOut = options.fanOut;
    this.errors = options.errors;
    this.metrics = options.metrics;
    this.sinkCount = options.fanOut.sinkCount;
  }

  /** Runs an admitted chunk; returns a promise only if it has to wait for a slot. */
  run(state: ChunkState, messages: readonly Message[]): Promise<void> | undefined {
    const output = this.ordered?.open();
    return this.transformFrom(state, messages, 0, output, output ? output.segments[0]! : newSegment());
  }

  /** A slot freed up, or the cycle is ending: a chunk waiting for a slot goes on (and sees which). */
  wakeSlot(): void {
    const wake = this.slotWaiter;
    this.slotWaiter = undefined;
    wake?.();
  }

  flushMetrics(): void {
    for (const stage of this.stages) stage.counts.flushTo(this.metrics);
  }

  /** One summary span per stage for the cycle (sampled by the cycle's trace, never per message). */
  traceStages(trace: CycleTrace, tracer: Tracer): void {
    for (const stage of this.stages) trace.stageSummary(tracer, stage.id, stage.counts.summary());
  }

  /** Runs messages[from..] through the transforms; returns a promise only if it has to wait for a slot. */
  private transformFrom(
    state: ChunkState,
    messages: readonly Message[],
    from: number,
    output: ChunkOutput | undefined,
    segment: Segment,
  ): Promise<void> | undefined {
    const { concurrency: limit, cycle, ledger, fanOut, ordered } = this;
    const sliceEnd = sliceEndsAt();
    for (let i = from; i < messages.length; i++) {
      if (cycle.fatal) return undefined; // stopping: the rest stays unacknowledged, hence uncommitted
      const sliceOver = sliceIsOver(sliceEnd, i - from);
      if (sliceOver || this.asyncActive >= limit) {
        let rest: Segment;
        if (!output) {
          fanOut.emit(segment);
          rest = newSegment();
        } else rest = sliceOver ? ordered!.emitReady(output, segment) : segment;
        const resume = () => this.transformFrom(state, messages, i, output, rest);
        return sliceOver ? nextMacrotask().then(resume) : this.waitForSlot().then(resume);
      }
      const message = messages[i]!;
      const origin = new Origin(state, message.sizeBytes);
      const rejectedReason = state.rejected?.get(message);
      if (rejectedReason !== undefined) {
        this.invalidFromSource(origin, message, rejectedReason);
        continue;
      }
      const mark = segment.messages.length;
      const pending = this.runStage(message, origin, 0, segment);
      if (pending === undefined) {
        ledger.ack(origin); // release the transform hold
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
          fanOut.emit({
            messages: segment.messages.splice(0, mark),
            origins: segment.origins.splice(0, mark),
          });
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
            ordered!.drain();
          } else fanOut.emit(own);
          ledger.ack(origin);
        },
        (error: unknown) => cycle.fail(new FatalError(`Internal error in transform stage: ${String(error)}`)),
      );
    }
    this.flushMetrics();
    if (output) {
      output.sealed = true;
      ordered!.drain();
    } else fanOut.emit(segment);
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
    current.counts.received.count(message.sizeBytes);
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
      this.stages[stage]!.counts.sent.count(result.sizeBytes);
      return this.runStage(result, origin, stage + 1, out);
    }
    if (Array.isArray(result)) {
      const sent = this.stages[stage]!.counts.sent;
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
        sent.count(child.sizeBytes);
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
      this.cycle.fail(error);
      return;
    }
    // A transform inside a worker pool: the dead letter names it and holds what it was given.
    const inWorker = error instanceof WorkerStageFailure ? error : undefined;
    const component = inWorker ? `${current.id}/${inWorker.stage}` : current.id;
    const failed = inWorker?.original ?? error;
    this.metrics.error(current.attrs, "transform", "poison");
    this.metrics.deadLettered(current.attrs, 1, "transform_failed");
    this.errors.note({ stage: "transform", component, error: failed, errorClass: "poison" });
    origin.remaining++;
    this.ledger.deadLetter(origin, inWorker?.input ?? message, {
      stage: "transform",
      component,
      attempts: 1,
      error: failed,
      errorClass: "poison",
    });
  }

  private invalidFromSource(origin: Origin, message: Message, reason: string): void {
    const source = this.source;
    const error = new Error(reason);
    this.metrics.error(source.attrs, "source", "poison");
    this.metrics.deadLettered(source.attrs, 1, "rejected_by_source");
    this.errors.note({ stage: "source", component: source.id, error, errorClass: "poison" });
    // The transform hold becomes the dead-letter write.
    this.ledger.deadLetter(origin, message, {
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
}
