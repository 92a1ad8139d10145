import { SpanStatusCode, type Tracer } from "@opentelemetry/api";
import type { ComponentContext } from "../contracts/context.js";
import type { Message } from "../contracts/message.js";
import type { Sink } from "../contracts/sink.js";
import { type ErrorClass, FatalError, PoisonError, RetryableError } from "../errors/classified-errors.js";
import { AbortedError, backoffDelay, type RetryPolicy, sleep } from "../retry/backoff.js";
import type { ComponentAttributes, PipelineMetrics } from "../telemetry/pipeline-metrics.js";
import type { Origin } from "./ack-tracking.js";
import type { FailureStage } from "./dead-letters.js";

/** Flush a batch when any limit is reached, whichever comes first. */
export interface BatchPolicy {
  readonly maxCount: number;
  readonly maxBytes: number;
  /** How long the first message of a batch may wait for more. */
  readonly lingerMs: number;
}

export const defaultBatchPolicy: BatchPolicy = { maxCount: 500, maxBytes: 5 * 1024 * 1024, lingerMs: 1000 };

export interface Failure {
  readonly stage: FailureStage;
  readonly component: string;
  readonly attempts: number;
  readonly error: unknown;
  readonly errorClass: ErrorClass | "exhausted";
}

/** What a sink runner needs from the cycle it runs in. */
export interface DeliveryHost {
  ack(origin: Origin): void;
  deadLetter(origin: Origin, message: Message, failure: Failure): void;
  /**
   * The delivery of `origin` to this sink failed for a reason that is not the message's fault
   * (outage): it stays unacknowledged, uncommitted, and is sent again by a later cycle.
   */
  leave(origin: Origin): void;
  /** This sink gave up on a batch after its retries ran out: the destination looks down. */
  sinkDown(sinkId: string, error: unknown): void;
  /** No retry may start after this time (epoch ms): set once the cycle stops (deadline, stop()). */
  readonly giveUpAt: number;
  /** Aborted when the cycle starts stopping, so a retry waiting past `giveUpAt` gives up at once. */
  readonly stopSignal: AbortSignal;
  fail(error: FatalError): void;
  noteError(failure: Omit<Failure, "attempts">): void;
  readonly signal: AbortSignal;
  readonly random: () => number;
  readonly metrics: PipelineMetrics;
  readonly tracer: Tracer;
  readonly counters: { retries: number; sent: Map<string, number> };
}

interface Batch {
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
 * One sink in one cycle: cuts batches by count, bytes and linger time, runs at most `concurrency`
 * writes at a time, retries with backoff, bisects poisoned batches and reports each message's fate
 * to the host: delivered (ack), refused (dead letter) or undeliverable for now (left).
 */
export class SinkRunner {
  private messages: Message[] = [];
  private origins: Origin[] = [];
  private bytes = 0;
  private linger: ReturnType<typeof setTimeout> | undefined;
  private inputEnded = false;
  private active = 0;
  private readonly waiting: Batch[] = [];
  /**
   * Set when a batch's retries ran out for a retryable reason, cleared by the next successful
   * write: meanwhile each batch gets one try, so an outage costs one retry budget per cycle, not one
   * per batch.
   */
  private down = false;
  /** Messages taken in and not yet delivered, dead-lettered or left (what a stop that gives up abandons). */
  private unsettled = 0;
  /** Messages this sink could not deliver in this cycle (left for a later cycle, not dead-lettered). */
  undelivered = 0;
  /** Messages not sent because the cycle's deadline came first (left for a later cycle). */
  unsent = 0;
  private dropping = false;

  constructor(
    readonly id: string,
    private readonly sink: Sink,
    private readonly batch: BatchPolicy,
    private readonly retry: RetryPolicy,
    private readonly concurrency: number,
    private readonly attrs: ComponentAttributes,
    private readonly context: ComponentContext,
    private readonly host: DeliveryHost,
  ) {}

  /** Takes `messages[i]` (of `origins[i]`) into batches. The arrays are not kept. */
  enqueue(messages: readonly Message[], origins: readonly Origin[]): void {
    const { maxCount, maxBytes } = this.batch;
    let received = 0;
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!;
      const size = message.sizeBytes;
      received += size;
      if (this.messages.length > 0 && this.bytes + size > maxBytes) this.flush();
      this.messages.push(message);
      this.origins.push(origins[i]!);
      this.unsettled++;
      this.bytes += size;
      if (this.messages.length >= maxCount || this.bytes >= maxBytes) this.flush();
    }
    this.host.metrics.received(this.attrs, messages.length, received);
    if (this.messages.length === 0) return;
    if (this.inputEnded || this.batch.lingerMs <= 0) this.flush();
    else this.linger ??= setTimeout(() => this.flush(), this.batch.lingerMs);
  }

  /** No more input is expected soon (end of cycle or stop): flush now and from now on. */
  endInput(): void {
    this.inputEnded = true;
    this.flush();
  }

  /**
   * The deadline came: writes under way finish, batches not yet started are not sent (left for the
   * next cycle), so the drain takes one write per slot, not a whole in-flight budget's worth.
   */
  dropUnstarted(): void {
    this.dropping = true;
    this.flush();
    for (const batch of this.waiting.splice(0)) this.drop(batch);
  }

  private drop(batch: Batch): void {
    this.unsettled -= batch.messages.length;
    this.unsent += batch.messages.length;
    for (const origin of batch.origins) this.host.leave(origin);
  }

  /** Messages neither delivered, dead-lettered nor left yet (in batches, in flight, in retries). */
  get pendingMessages(): number {
    return this.unsettled;
  }

  /** Cancel the linger timer so a stopped cycle leaves no timer behind. */
  dispose(): void {
    if (this.linger) clearTimeout(this.linger);
    this.linger = undefined;
    this.waiting.length = 0;
  }

  private flush(): void {
    if (this.linger) {
      clearTimeout(this.linger);
      this.linger = undefined;
    }
    if (this.messages.length === 0) return;
    const batch: Batch = { messages: this.messages, origins: this.origins, bytes: this.bytes };
    this.messages = [];
    this.origins = [];
    this.bytes = 0;
    if (this.dropping) this.drop(batch);
    else if (this.active < this.concurrency) this.start(batch);
    else this.waiting.push(batch);
  }

  private start(batch: Batch): void {
    this.active++;
    this.host.metrics.batch(this.attrs, batch.messages.length, batch.bytes);
    this.deliver(batch)
      .catch((error: unknown) => {
        if (!(error instanceof AbortedError)) this.host.fail(toFatal(this.id, error));
      })
      .finally(() => {
        this.active--;
        const next = this.waiting.shift();
        if (next && !this.host.signal.aborted) this.start(next);
      });
  }

  /** Write one batch until it is accepted, dead-lettered or the pipeline gives up. */
  private async deliver(batch: Batch): Promise<void> {
    const span = this.host.tracer.startSpan(`sink ${this.id} write`, {
      attributes: { ...this.attrs, batch_events: batch.messages.length, batch_bytes: batch.bytes },
    });
    const started = Date.now();
    let attempt = 0;
    try {
      for (;;) {
        if (this.host.signal.aborted) throw new AbortedError("aborted");
        attempt++;
        let result: Awaited<ReturnType<Sink["write"]>>;
        try {
          result = await this.sink.write(batch.messages, { ...this.context, attempt });
        } catch (error) {
          if (this.host.signal.aborted) throw new AbortedError("aborted");
          const errorClass = classifyError(this.sink, error);
          this.host.metrics.error(this.attrs, "sink", errorClass);
          span.addEvent("write failed", { attempt, error_class: errorClass, error: errorMessage(error) });
          if (errorClass === "fatal") throw toFatal(this.id, error);
          if (errorClass === "poison") {
            span.setAttribute("attempts", attempt);
            await this.onPoison(batch, error, attempt);
            return;
          }
          const retryAfter = error instanceof RetryableError ? error.retryAfterMs : undefined;
          const delay = backoffDelay(this.retry, attempt, this.host.random, retryAfter);
          const exhausted =
            this.down ||
            attempt >= this.retry.maxAttempts ||
            Date.now() - started + delay > this.retry.maxElapsedMs;
          if (exhausted || Date.now() + delay > this.host.giveUpAt) {
            span.setAttribute("attempts", attempt);
            this.giveUp(batch, error, exhausted);
            return;
          }
          this.host.metrics.retry(this.attrs);
          this.host.counters.retries++;
          if (!(await this.waitToRetry(Date.now() + delay))) {
            span.setAttribute("attempts", attempt);
            this.giveUp(batch, error, false);
            return;
          }
          continue;
        }
        span.setAttribute("attempts", attempt);
        this.onWritten(batch, result, attempt);
        return;
      }
    } catch (error) {
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
    const { stopSignal: stopping, signal } = this.host;
    if (!stopping.aborted) {
      try {
        await sleep(wakeAt - Date.now(), stopping);
        return true;
      } catch (error) {
        if (!(error instanceof AbortedError)) throw error;
      }
    }
    if (signal.aborted) throw new AbortedError("aborted");
    if (wakeAt > this.host.giveUpAt) return false;
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
    this.host.noteError({ stage: "sink", component: this.id, error, errorClass: "exhausted" });
    this.unsettled -= batch.messages.length;
    this.undelivered += batch.messages.length;
    for (const origin of batch.origins) this.host.leave(origin);
    const wasDown = this.down;
    this.down = true;
    if (exhausted && !wasDown) this.host.sinkDown(this.id, error);
  }

  private onWritten(batch: Batch, result: Awaited<ReturnType<Sink["write"]>>, attempt: number): void {
    this.down = false;
    this.unsettled -= batch.messages.length;
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
        this.host.metrics.error(this.attrs, "sink", "poison");
        this.host.noteError({ stage: "sink", component: this.id, error, errorClass: "poison" });
        this.deadLetterOne(batch.origins[i]!, batch.messages[i]!, error, attempt, "poison");
      } else {
        sentBytes += batch.messages[i]!.sizeBytes;
        this.host.ack(batch.origins[i]!);
      }
    }
    const sent = batch.messages.length - failed.size;
    this.host.metrics.sent(this.attrs, sent, sentBytes);
    this.host.counters.sent.set(this.id, (this.host.counters.sent.get(this.id) ?? 0) + sent);
  }

  /** A poisoned batch of several: split it in halves until the bad message(s) stand alone. */
  private async onPoison(batch: Batch, error: unknown, attempt: number): Promise<void> {
    if (batch.messages.length === 1) {
      this.host.noteError({ stage: "sink", component: this.id, error, errorClass: "poison" });
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
    this.unsettled -= batch.messages.length;
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
    this.host.metrics.deadLettered(this.attrs, 1);
    this.host.deadLetter(origin, message, { stage: "sink", component: this.id, attempts, error, errorClass });
  }
}

function toFatal(sinkId: string, error: unknown): FatalError {
  if (error instanceof FatalError) return error;
  return new FatalError(`Sink "${sinkId}" failed: ${errorMessage(error)}`, { cause: error });
}
