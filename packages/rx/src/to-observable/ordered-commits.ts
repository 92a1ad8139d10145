import type { CheckpointStore, SourceChunk } from "@pipekit/core";
import { isIncrementalPosition } from "@pipekit/core/advanced";

interface PendingChunk {
  readonly checkpoint: SourceChunk["checkpoint"];
  readonly count: number;
  readonly bytes: number;
  unacked: number;
}

/**
 * Chunks handed to a subscriber, oldest first. A chunk's checkpoint is committed once every one of
 * its messages and every earlier chunk's were acknowledged (one global order is stricter than the
 * engine's per-key order, and simpler: a subscriber sees no partitions). What is in flight — emitted
 * and not yet committed — is what the subscriber's demand is measured by.
 */
export class OrderedCommits {
  private readonly chunks: PendingChunk[] = [];
  /** Emitted and not yet committed (acknowledged messages count until their checkpoint is durable). */
  messages = 0;
  bytes = 0;
  private committing: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly store: CheckpointStore,
    private readonly onChange: () => void,
  ) {}

  /** Registers a chunk; returns the ack of one of its messages (idempotent per message). */
  add(chunk: SourceChunk, sizes: readonly number[]): ((index: number) => void) | undefined {
    const bytes = sizes.reduce((a, b) => a + b, 0);
    const pending: PendingChunk = {
      checkpoint: chunk.checkpoint,
      count: sizes.length,
      bytes,
      unacked: sizes.length,
    };
    this.chunks.push(pending);
    this.messages += sizes.length;
    this.bytes += bytes;
    if (sizes.length === 0) {
      this.flush();
      return undefined;
    }
    const acked = new Uint8Array(sizes.length);
    return (index) => {
      if (acked[index]) return;
      acked[index] = 1;
      pending.unacked--;
      if (pending.unacked === 0) this.flush();
    };
  }

  get pendingChunks(): number {
    return this.chunks.length;
  }

  /** A commit failed: the Observable errors with it. */
  get error(): { error: unknown } | undefined {
    return this.failure;
  }

  /** Resolves once every commit started so far has finished. */
  settled(): Promise<void> {
    return this.committing;
  }

  private flush(): void {
    while (this.chunks[0]?.unacked === 0) {
      const done = this.chunks.shift()!;
      const checkpoint = done.checkpoint;
      this.committing = this.committing
        .then(() => (checkpoint ? this.commit(checkpoint) : undefined))
        .then(
          () => {
            this.messages -= done.count;
            this.bytes -= done.bytes;
            this.onChange();
          },
          (error: unknown) => {
            this.failure ??= { error };
            this.onChange();
          },
        );
    }
    this.onChange();
  }

  private async commit(checkpoint: NonNullable<SourceChunk["checkpoint"]>): Promise<void> {
    if (this.failure) return;
    const { key, position } = checkpoint;
    if (!isIncrementalPosition(position)) return this.store.commit(key, position);
    const writes = position.checkpointWrites();
    if (this.store.commitMany) await this.store.commitMany(writes.entries);
    else for (const [k, v] of writes.entries) await this.store.commit(k, v);
    writes.durable?.();
  }
}
