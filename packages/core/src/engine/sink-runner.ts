import type { Message } from "../contracts/message.js";
import { AbortedError } from "../retry/backoff.js";
import type { ComponentAttributes, PipelineMetrics } from "../telemetry/pipeline-metrics.js";
import type { Origin } from "./ack-tracking.js";
import {
  type Batch,
  BatchWriter,
  type BatchWriterOptions,
  SinkCounts,
  type SinkCycle,
  toFatal,
} from "./batch-writer.js";
import type { DeliveryHost } from "./delivery.js";

/** Flush a batch when any limit is reached, whichever comes first. */
export interface BatchPolicy {
  readonly maxCount: number;
  readonly maxBytes: number;
  /** How long the first message of a batch may wait for more. */
  readonly lingerMs: number;
}

export const defaultBatchPolicy: BatchPolicy = { maxCount: 500, maxBytes: 5 * 1024 * 1024, lingerMs: 1000 };

export interface SinkRunnerOptions extends BatchWriterOptions {
  readonly batch: BatchPolicy;
  /** Batch writes in flight at once. */
  readonly concurrency: number;
}

/**
 * One sink in one cycle: cuts batches by count, bytes and linger time and runs at most
 * `concurrency` writes at a time (the {@link BatchWriter} retries them and reports each message's fate).
 */
export class SinkRunner {
  readonly id: string;
  readonly counts = new SinkCounts();
  private messages: Message[] = [];
  private origins: Origin[] = [];
  private bytes = 0;
  private linger: ReturnType<typeof setTimeout> | undefined;
  private inputEnded = false;
  private active = 0;
  private readonly waiting: Batch[] = [];
  private dropping = false;
  private readonly batch: BatchPolicy;
  private readonly concurrency: number;
  private readonly attrs: ComponentAttributes;
  private readonly delivery: DeliveryHost;
  private readonly cycle: SinkCycle;
  private readonly metrics: PipelineMetrics;
  private readonly writer: BatchWriter;

  constructor(options: SinkRunnerOptions) {
    this.id = options.id;
    this.batch = options.batch;
    this.concurrency = options.concurrency;
    this.attrs = options.attrs;
    this.delivery = options.delivery;
    this.cycle = options.cycle;
    this.metrics = options.metrics;
    this.writer = new BatchWriter(options, this.counts);
  }

  /** Takes `messages[i]` (of `origins[i]`) into batches. The arrays are not kept. */
  enqueue(messages: readonly Message[], origins: readonly Origin[]): void {
    const { maxCount, maxBytes } = this.batch;
    const counts = this.counts;
    let received = 0;
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!;
      const size = message.sizeBytes;
      received += size;
      if (this.messages.length > 0 && this.bytes + size > maxBytes) this.flush();
      this.messages.push(message);
      this.origins.push(origins[i]!);
      counts.unsettled++;
      this.bytes += size;
      if (this.messages.length >= maxCount || this.bytes >= maxBytes) this.flush();
    }
    this.metrics.received(this.attrs, messages.length, received);
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
    this.counts.unsettled -= batch.messages.length;
    this.counts.unsent += batch.messages.length;
    for (const origin of batch.origins) this.delivery.leave(origin);
  }

  /** Messages neither delivered, dead-lettered nor left yet (in batches, in flight, in retries). */
  get pendingMessages(): number {
    return this.counts.unsettled;
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
    this.metrics.batch(this.attrs, batch.messages.length, batch.bytes);
    this.writer
      .deliver(batch)
      .catch((error: unknown) => {
        if (!(error instanceof AbortedError)) this.cycle.fail(toFatal(this.id, error));
      })
      .finally(() => {
        this.active--;
        const next = this.waiting.shift();
        if (next && !this.cycle.signal.aborted) this.start(next);
      });
  }
}
