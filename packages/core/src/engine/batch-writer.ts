import { context, propagation, SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";
import type { ComponentContext } from "../contracts/context.js";
import type { Message } from "../contracts/message.js";
import type { Sink } from "../contracts/sink.js";
import { type ErrorClass, FatalError, PoisonError, RetryableError } from "../errors/classified-errors.js";
import { AbortedError, backoffDelay, type RetryPolicy, sleep } from "../retry/backoff.js";
import { attemptFailed, type CycleTrace } from "../telemetry/cycle-trace.js";
import type { ComponentAttributes, PipelineMetrics } from "../telemetry/pipeline-metrics.js";
import type { Origin } from "./ack-tracking.js";
import type { DeliveryHost, Failure } from "./delivery.js";
import type { ErrorSummaries } from "./error-summary.js";

/** What a sink's writes need from the cycle's lifecycle. */
export interface SinkCycle {
  /** No retry may start after this time (epoch ms): set once the cycle stops (deadline, stop()). */
  readonly giveUpAt: number;
  /** Aborted when the cycle starts stopping, so a retry waiting past `giveUpAt` gives up at once. */
  readonly stopSignal: AbortSignal;
  readonly signal: AbortSignal;
  /** The cycle's span: each batch write is its child. */
  readonly trace: CycleTrace;
  /** This sink gave up on a batch after its retries ran out: the destination looks down. */
  sinkDown(sinkId: string, error: unknown): void;
  fail(error: FatalError): void;
}

export interface BatchWriterOptions {
  readonly id: string;
  readonly sink: Sink;
  readonly retry: RetryPolicy;
  readonly attrs: ComponentAttributes;
  readonly context: ComponentContext;
  readonly delivery: DeliveryHost;
  readonly cycle: SinkCycle;
  readonly errors: ErrorSummaries;
  readonly metrics: PipelineMetrics;
  readonly tracer: Tracer;
  readonly random: () => number;
}

/** One sink's message counts in one cycle, kept by its runner and its writer, read by the reports. */
export class SinkCounts {
  /** Messages taken in and not yet delivered, dead-lettered or left (what a stop that gives up abandons). */
  unsettled = 0;
  /** Messages this sink could not deliver in this cycle (left for a later cycle, not dead-lettered). */
  undelivered = 0;
  /** Messages not sent because the cycle's deadline came first (left for a later cycle). */
  unsent = 0;
  /** Messages this sink durably accepted. */
  sent = 0;
  /** Batch write retries. */
  retries = 0;
}

export interface Batch {
  readonly messages: Message[];
  readonly origins: Origin[];
  readonly bytes: number;
}

export function classifyError(sink: Sink, error: unknown): ErrorClass {
  const declared = sink.classifyError?.(error);
  if (declared) return declared;
  if (error instanceof FatalError) return "fatal";
  if (error instanceof PoisonError) return "poison";
  return "retryable";
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Writes one sink's batches: retries with backoff, bisects poisoned batches and reports each
 * message's fate: delivered (ack), refused (dead letter) or undeliverable for now (left).
 */
export class BatchWriter {
  /**
   * Set when a batch's retries ran out for a retryable reason, cleared by the next successful
   * write: meanwhile each batch gets one try, so an outage costs one retry budget per cycle, not one
   * per batch.
   */
  private down = false;
  private readonly id: string;
  private readonly sink: Sink;
  private readonly retry: RetryPolicy;
  private readonly attrs: ComponentAttributes;
  private readonly context: ComponentContext;
  private readonly delivery: DeliveryHost;
  private readonly cycle: SinkCycle;
  private readonly errors: ErrorSummaries;
  private readonly metrics: PipelineMetrics;
  private readonly tracer: Tracer;
  private readonly random: () => number;

  constructor(
    options: BatchWriterOptions,
    private readonly counts: SinkCounts,
  ) {
    this.id = options.id;
    this.sink = options.sink;
    this.retry = options.retry;
    this.attrs = options.attrs;
    this.context = options.context;
    this.delivery = options.delivery;
    this.cycle = options.cycle;
    this.errors = options.errors;
    this.metrics = options.metrics;
    this.tracer = options.tracer;
    this.random = options.random;
  }

  /**
   * Write one batch until it is accepted, dead-lettered or the pipeline gives up. Its span (a child
   * of the cycle's) is active during each write, so a sink can pass the trace on (traceparent).
   */
  async deliver(batch: Batch): Promise<void> {
    const parent = this.cycle.trace.context;
    const span = this.tracer.startSpan(
      `sink ${this.id} write`,
      {
        attributes: {
          ...this.attrs,
          "pipekit.batch.events": batch.messages.length,
          "pipekit.batch.bytes": batch.bytes,
        },
      },
      parent,
    );
    const active = trace.setSpan(parent, span);
    const traceHeaders: Record<string, string> = {};
    propagation.inject(active, traceHeaders);
    const traced = traceHeaders.traceparent !== undefined;
    const ended = (attempt: number, outcome: string) =>
      span.setAttributes({ "pipekit.attempts": attempt, "pipekit.outcome": outcome });
    const started = Date.now();
    let attempt = 0;
    try {
      for (;;) {
        if (this.cycle.signal.aborted) throw new AbortedError("aborted");
        attempt++;
        let result: Awaited<ReturnType<Sink["write"]>>;
        try {
          const ctx = traced ? { ...this.context, attempt, traceHeaders } : { ...this.context, attempt };
          result = await context.with(active, () => this.sink.write(batch.messages, ctx));
        } catch (error) {
          if (this.cycle.signal.aborted) throw new AbortedError("aborted");
          const errorClass = classifyError(this.sink, error);
          this.metrics.error(this.attrs, "sink", errorClass);
          attemptFailed(span, error, attempt, errorClass);
          if (errorClass === "fatal") throw toFatal(this.id, error);
          if (errorClass === "poison") {
            ended(attempt, "dead_lettered");
            await this.onPoison(batch, error, attempt);
            return;
          }
          const retryAfter = error instanceof RetryableError ? error.retryAfterMs : undefined;
          const delay = backoffDelay(this.retry, attempt, this.random, retryAfter);
          const exhausted =
            this.down ||
            attempt >= this.retry.maxAttempts ||
            Date.now() - started + delay > this.retry.maxElapsedMs;
          if (exhausted || Date.now() + delay > this.cycle.giveUpAt) {
            ended(attempt, "undelivered");
            span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
            this.giveUp(batch, error, exhausted);
            return;
          }
          this.metrics.retry(this.attrs);
          this.counts.retries++;
          if (!(await this.waitToRetry(Date.now() + delay))) {
            ended(attempt, "undelivered");
            span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
            this.giveUp(batch, error, false);
            return;
          }
          continue;
        }
        ended(attempt, "delivered");
        this.onWritten(batch, result, attempt);
        return;
      }
    } catch (error) {
      span.setAttribute("pipekit.outcome", error instanceof AbortedError ? "aborted" : "failed");
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
      throw error;
    } finally {
      span.end();
    }
  }

  /**
   * Sleeps until `wakeAt`; false when the cycle began stopping meanwhile and `wakeAt` is past the
   * time it allows for retries (the batch is then left for the next cycle instead).
   */
  private async waitToRetry(wakeAt: number): Promise<boolean> {
    const { stopSignal: stopping, signal } = this.cycle;
    if (!stopping.aborted) {
      try {
        await sleep(wakeAt - Date.now(), stopping);
        return true;
      } catch (error) {
        if (!(error instanceof AbortedError)) throw error;
      }
    }
    if (signal.aborted) throw new AbortedError("aborted");
    if (wakeAt > this.cycle.giveUpAt) return false;
    await sleep(Math.max(0, wakeAt - Date.now()), signal);
    return true;
  }

  /**
   * A retryable failure that will not be retried in this cycle. Not dead-lettered: the destination
   * did not refuse these messages, it was unavailable, so they stay unacknowledged and a later cycle
   * sends them again. Later batches then get one try each, so those queued behind it settle before a
   * stop's drain time is up. `exhausted` (the retry policy ran out, not the cycle's time) also tells
   * the cycle the sink is down, which stops reading.
   */
  private giveUp(batch: Batch, error: unknown, exhausted: boolean): void {
    this.errors.note({ stage: "sink", component: this.id, error, errorClass: "exhausted" });
    this.counts.unsettled -= batch.messages.length;
    this.counts.undelivered += batch.messages.length;
    for (const origin of batch.origins) this.delivery.leave(origin);
    const wasDown = this.down;
    this.down = true;
    if (exhausted && !wasDown) this.cycle.sinkDown(this.id, error);
  }

  private onWritten(batch: Batch, result: Awaited<ReturnType<Sink["write"]>>, attempt: number): void {
    this.down = false;
    this.counts.unsettled -= batch.messages.length;
    const failed = new Map<number, Error>();
    if (result && Array.isArray(result.failed)) {
      for (const f of result.failed) {
        if (Number.isInteger(f.index) && f.index >= 0 && f.index < batch.messages.length)
          failed.set(f.index, f.error);
      }
    }
    let sentBytes = 0;
    for (let i = 0; i < batch.messages.length; i++) {
      const error = failed.get(i);
      if (error) {
        this.metrics.error(this.attrs, "sink", "poison");
        this.errors.note({ stage: "sink", component: this.id, error, errorClass: "poison" });
        this.deadLetterOne(batch.origins[i]!, batch.messages[i]!, error, attempt, "poison");
      } else {
        sentBytes += batch.messages[i]!.sizeBytes;
        this.delivery.ack(batch.origins[i]!);
      }
    }
    const sent = batch.messages.length - failed.size;
    this.metrics.sent(this.attrs, sent, sentBytes);
    this.counts.sent += sent;
  }

  /** A poisoned batch of several: split it in halves until the bad message(s) stand alone. */
  private async onPoison(batch: Batch, error: unknown, attempt: number): Promise<void> {
    if (batch.messages.length === 1) {
      this.errors.note({ stage: "sink", component: this.id, error, errorClass: "poison" });
      this.deadLetterAll(batch, error, attempt, "poison");
      return;
    }
    const mid = Math.ceil(batch.messages.length / 2);
    for (const [from, to] of [
      [0, mid],
      [mid, batch.messages.length],
    ] as const) {
      const messages = batch.messages.slice(from, to);
      await this.deliver({
        messages,
        origins: batch.origins.slice(from, to),
        bytes: messages.reduce((n, m) => n + m.sizeBytes, 0),
      });
    }
  }

  private deadLetterAll(
    batch: Batch,
    error: unknown,
    attempts: number,
    errorClass: Failure["errorClass"],
  ): void {
    this.counts.unsettled -= batch.messages.length;
    for (let i = 0; i < batch.messages.length; i++) {
      this.deadLetterOne(batch.origins[i]!, batch.messages[i]!, error, attempts, errorClass);
    }
  }

  private deadLetterOne(
    origin: Origin,
    message: Message,
    error: unknown,
    attempts: number,
    errorClass: Failure["errorClass"],
  ): void {
    this.metrics.deadLettered(this.attrs, 1, "refused_by_sink");
    this.delivery.deadLetter(origin, message, {
      stage: "sink",
      component: this.id,
      attempts,
      error,
      errorClass,
    });
  }
}

export function toFatal(sinkId: string, error: unknown): FatalError {
  if (error instanceof FatalError) return error;
  return new FatalError(`Sink "${sinkId}" failed: ${errorMessage(error)}`, { cause: error });
}
