/** Limits on work read from the source and not yet acknowledged. */
export interface Budget {
  readonly maxMessages: number;
  readonly maxBytes: number;
}

/**
 * 5,000 messages keeps well over a second of work queued for a sink at our rates, which is all a
 * one-produce-at-a-time Kafka lane needs; an in-flight message of the Databricks→Akto pipeline
 * holds ~8 KB of heap (row, execution, redacted copy, record text), so 10,000 cost ~40 MB more
 * for no throughput (bench/e2e.ts, 1M rows: peak RSS 321 → 276 MB, CPU per 1k rows 310 → 278 ms).
 * It is also the most a crash can make a restart send again.
 */
export const defaultBudget: Budget = { maxMessages: 5_000, maxBytes: 64 * 1024 * 1024 };

/**
 * Counts source messages (and their bytes) between admission and acknowledgement, and then — as
 * `held` — until the checkpoint covering them is durable. The engine asks the source for its next
 * chunk only while `hasRoom()`, so memory stays within budget + one chunk, and what a crash can
 * make a restart send again (delivered, not yet committed) stays within the budget too.
 */
export class InFlightBudget {
  /** Admitted and not yet acknowledged (or left undelivered). */
  messages = 0;
  bytes = 0;
  /** Acknowledged, waiting for their checkpoint to be durable. */
  heldMessages = 0;
  heldBytes = 0;
  private roomWaiter: (() => void) | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(readonly limits: Budget) {}

  hasRoom(): boolean {
    return (
      this.messages + this.heldMessages < this.limits.maxMessages &&
      this.bytes + this.heldBytes < this.limits.maxBytes
    );
  }

  /**
   * Whether a chunk of this size can be admitted without going over the limits (always, when nothing
   * is in flight or held: a chunk larger than the whole budget must still pass, alone).
   */
  fits(messages: number, bytes: number): boolean {
    const used = this.messages + this.heldMessages;
    const usedBytes = this.bytes + this.heldBytes;
    if (used === 0 && usedBytes === 0) return true;
    return used + messages <= this.limits.maxMessages && usedBytes + bytes <= this.limits.maxBytes;
  }

  /** Acknowledged messages move from in flight to held (no room yet: their commit is not durable). */
  hold(messages: number, bytes: number): void {
    this.heldMessages += messages;
    this.heldBytes += bytes;
    this.release(messages, bytes);
    // A reader waiting for room looks again: a commit may now free what is held.
    this.wakeRoom();
  }

  /** Their checkpoint is durable (or no checkpoint can cover them soon): the room is free again. */
  releaseHeld(messages: number, bytes: number): void {
    if (messages === 0 && bytes === 0) return;
    this.heldMessages -= messages;
    this.heldBytes -= bytes;
    if (this.roomWaiter && this.hasRoom()) this.wakeRoom();
  }

  admit(messages: number, bytes: number): void {
    this.messages += messages;
    this.bytes += bytes;
  }

  release(messages: number, bytes: number): void {
    this.messages -= messages;
    this.bytes -= bytes;
    if (this.roomWaiter && this.hasRoom()) this.wakeRoom();
    if (this.idleWaiters.length > 0 && this.messages === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Resolves when there is room again, or when `wakeRoom` is called (stopping). */
  waitForRoom(): Promise<void> {
    return new Promise((resolve) => {
      this.roomWaiter = resolve;
    });
  }

  wakeRoom(): void {
    const wake = this.roomWaiter;
    this.roomWaiter = undefined;
    wake?.();
  }

  /** Calls `onIdle` once nothing is in flight (at once if that is already the case). */
  whenIdle(onIdle: () => void): void {
    if (this.messages === 0) onIdle();
    else this.idleWaiters.push(onIdle);
  }
}
