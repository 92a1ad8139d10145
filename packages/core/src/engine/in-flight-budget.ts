/** Limits on work read from the source and not yet acknowledged. */
export interface Budget {
  readonly maxMessages: number;
  readonly maxBytes: number;
}

export const defaultBudget: Budget = { maxMessages: 10_000, maxBytes: 64 * 1024 * 1024 };

/**
 * Counts source messages (and their bytes) between admission and acknowledgement. The engine asks
 * the source for its next chunk only while `hasRoom()`, so memory stays within budget + one chunk.
 */
export class InFlightBudget {
  messages = 0;
  bytes = 0;
  private roomWaiter: (() => void) | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(readonly limits: Budget) {}

  hasRoom(): boolean {
    return this.messages < this.limits.maxMessages && this.bytes < this.limits.maxBytes;
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
