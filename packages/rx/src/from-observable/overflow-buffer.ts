/** What happens when a hot Observable pushes more than the buffer may hold. */
export type OverflowPolicy = "error" | "drop";

/** Thrown into the read when a hot Observable outran the byte bound and the policy is `error`. */
export class ObservableOverflowError extends Error {
  override readonly name = "ObservableOverflowError";
}

/**
 * Values an Observable pushed that the engine has not asked for yet, bounded in bytes. rxjs has no
 * backpressure: a hot Observable (events, a Subject) keeps pushing whatever the reader does, so the
 * bound and what happens over it are explicit instead of an array that grows until the heap is gone.
 */
export class OverflowBuffer<T> {
  private items: { value: T; bytes: number }[] = [];
  private head = 0;
  bytes = 0;
  dropped = 0;
  droppedBytes = 0;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly maxBytes: number,
    private readonly policy: OverflowPolicy,
    private readonly onDrop: (bytes: number) => void,
  ) {}

  get length(): number {
    return this.items.length - this.head;
  }

  get done(): boolean {
    return this.ended || this.failure !== undefined;
  }

  push(value: T, bytes: number): void {
    if (this.done) return;
    // One value is always let in when the buffer is empty, however large: it can still be read.
    if (this.length > 0 && this.bytes + bytes > this.maxBytes) {
      if (this.policy === "drop") {
        this.dropped++;
        this.droppedBytes += bytes;
        this.onDrop(bytes);
        return;
      }
      this.fail(
        new ObservableOverflowError(
          `the Observable pushed more than maxBufferBytes (${this.maxBytes}) ahead of the pipeline (overflow: "error"); make it pull from the demand stream, raise maxBufferBytes, or choose overflow: "drop"`,
        ),
      );
      return;
    }
    this.items.push({ value, bytes });
    this.bytes += bytes;
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  fail(error: unknown): void {
    if (this.done) return;
    this.failure = { error };
    this.notify();
  }

  /** The error the Observable failed with, once what was buffered before it has been taken. */
  get error(): { error: unknown } | undefined {
    return this.length === 0 ? this.failure : undefined;
  }

  take(max: number): { value: T; bytes: number }[] {
    const end = Math.min(this.items.length, this.head + max);
    const taken = this.items.slice(this.head, end);
    this.head = end;
    for (const t of taken) this.bytes -= t.bytes;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return taken;
  }

  /**
   * Resolves once `count` values are buffered, the Observable ended or failed, the signal aborted,
   * or `lingerMs` passed with at least one value buffered (a short page should not wait forever).
   */
  async waitFor(count: number, lingerMs: number, signal: AbortSignal): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => this.notify();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      while (this.length < count && !this.done && !signal.aborted) {
        if (this.length > 0 && timer === undefined) {
          timer = setTimeout(() => this.notify(), lingerMs);
          timer.unref?.();
        }
        const before = this.length;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        // Woken with nothing new: the linger timer fired, so hand out what is there.
        if (this.length === before && this.length > 0) return;
      }
    } finally {
      if (timer) clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
