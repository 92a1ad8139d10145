import {
  type CheckpointStore,
  type CheckpointWrites,
  isIncrementalPosition,
} from "../contracts/checkpoint.js";

/** How committable positions are coalesced into store writes. */
export interface CommitPolicy {
  /**
   * A committable position is written at most this long after it became committable (Kafka
   * Connect's offset.flush.interval.ms). Positions arriving meanwhile replace older ones of their
   * key, so a fast source costs one store write per interval, not one per chunk. 0 writes as soon
   * as the previous write finished. Every cycle end and every stop flushes at once.
   */
  readonly flushIntervalMs: number;
}

export const defaultCommitPolicy: CommitPolicy = { flushIntervalMs: 1_000 };

/** Counts for reports: never the positions themselves (they can be as large as a table's state). */
export interface CommitStats {
  /** Store writes (one per flush). */
  readonly commits: number;
  /** Distinct checkpoint keys committed. */
  readonly keys: number;
}

/**
 * Writes committable positions to the store, one flush at a time. Between flushes only the newest
 * position per key is kept; an {@link IncrementalPosition} is asked for its writes at flush time.
 */
export class CheckpointCommitter {
  private readonly pending = new Map<string, { position: unknown; durable: (() => void)[] }>();
  private readonly afterWrite: (() => void)[] = [];
  private readonly committedKeys = new Set<string>();
  private commits = 0;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: CheckpointStore,
    private readonly onError: (error: unknown) => void,
    private readonly policy: CommitPolicy = defaultCommitPolicy,
    /** Each durable write (the checkpoint-age gauge). */
    private readonly onCommitted?: () => void,
  ) {}

  get stats(): CommitStats {
    return { commits: this.commits, keys: this.committedKeys.size };
  }

  /** True while a position waits to be written or a write runs. */
  get busy(): boolean {
    return this.pending.size > 0 || this.running !== undefined;
  }

  /**
   * `onDurable` runs once a write holding this position (or a newer one of its key, which covers
   * it) is durable; never when writing fails (the cycle fails then).
   */
  schedule(key: string, position: unknown, onDurable?: () => void): void {
    const earlier = this.pending.get(key);
    const durable = earlier?.durable ?? [];
    if (onDurable) durable.push(onDurable);
    this.pending.set(key, { position, durable });
    if (this.running || this.timer) return;
    if (this.policy.flushIntervalMs <= 0) this.flush();
    else {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.policy.flushIntervalMs);
      this.timer.unref?.();
    }
  }

  /** Starts a write of everything pending now (no-op when a write runs: it picks them up). */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.size > 0) this.running ??= this.run();
  }

  /** Calls `callback` once, when the write running or next started has ended (at once when idle). */
  whenWritten(callback: () => void): void {
    if (this.busy) this.afterWrite.push(callback);
    else callback();
  }

  /** Writes everything scheduled and resolves once it is durable (or failed). */
  async settle(): Promise<void> {
    this.flush();
    while (this.running) {
      await this.running;
      this.flush();
    }
  }

  private async run(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const batch = [...this.pending];
        this.pending.clear();
        const entries = new Map<string, unknown>();
        const durable: NonNullable<CheckpointWrites["durable"]>[] = [];
        for (const [key, { position, durable: callbacks }] of batch) {
          durable.push(...callbacks);
          if (isIncrementalPosition(position)) {
            const writes = position.checkpointWrites();
            for (const [k, v] of writes.entries) entries.set(k, v);
            // The source's own bookkeeping first, then the engine's (which may pull more chunks).
            if (writes.durable) durable.unshift(writes.durable);
          } else entries.set(key, position);
        }
        await this.write(entries);
        this.commits++;
        this.onCommitted?.();
        for (const [key] of batch) this.committedKeys.add(key);
        for (const done of durable) done();
      }
    } catch (error) {
      this.pending.clear();
      this.onError(error);
    } finally {
      this.running = undefined;
      const waiting = this.afterWrite.splice(0);
      for (const wake of waiting) wake();
    }
  }

  private async write(entries: ReadonlyMap<string, unknown>): Promise<void> {
    if (entries.size === 0) return;
    if (this.store.commitMany) return this.store.commitMany(entries);
    for (const [key, value] of entries) await this.store.commit(key, value);
  }
}
