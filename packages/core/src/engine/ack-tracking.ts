import type { Message } from "../contracts/message.js";

/** One source chunk: done when every one of its messages is acknowledged. */
export class ChunkState {
  pending: number;
  done = false;
  /** Acknowledged messages of this chunk still holding budget until a covering commit is durable. */
  heldMessages = 0;
  heldBytes = 0;
  /** The checkpoint key whose later positions must wait for this chunk. */
  readonly key: string | undefined;
  /** Messages the source rejected (SourceChunk.rejected) → why: they go straight to dead letters. */
  rejected: ReadonlyMap<Message, string> | undefined;
  constructor(
    readonly checkpoint: { readonly key: string; readonly position: unknown } | undefined,
    messages: number,
    partition?: string,
  ) {
    this.pending = messages;
    this.key = checkpoint?.key ?? partition;
  }
}

/**
 * One source message and the deliveries it still waits for: one per (output message × sink) plus
 * one per dead-letter write, plus a "hold" of 1 while its transforms run. At zero it is acknowledged.
 */
export class Origin {
  remaining = 1;
  /**
   * A sink could not deliver one of its outputs (outage, deadline): once settled it is released from
   * the in-flight budget but never acknowledged, so no checkpoint passes it and a later cycle reads it again.
   */
  left = false;
  /**
   * `sizeBytes` is the source message's size. Only that is kept, not the message: an execution's
   * outputs can wait in a sink's batch for seconds, and the source value (raw request and response)
   * must not wait with them.
   */
  constructor(
    readonly chunk: ChunkState,
    readonly sizeBytes: number,
  ) {}
}

/**
 * Per checkpoint key, chunks in arrival order. A key's position advances to a chunk's checkpoint
 * only once that chunk and every earlier chunk of the key are done, so the committed position never
 * passes an unacknowledged message. Each committable position comes with the chunks it covers (those
 * passed since the previous one), whose held budget is freed once that position is durable.
 */
export class CheckpointOrdering {
  private readonly queues = new Map<string, { chunks: ChunkState[]; head: number; passed: ChunkState[] }>();

  constructor(
    private readonly onCommittable: (key: string, position: unknown, covered: readonly ChunkState[]) => void,
  ) {}

  admit(chunk: ChunkState): void {
    const key = chunk.key;
    if (key === undefined) return;
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { chunks: [], head: 0, passed: [] };
      this.queues.set(key, queue);
    }
    queue.chunks.push(chunk);
  }

  chunkDone(chunk: ChunkState): void {
    chunk.done = true;
    const key = chunk.key;
    if (key === undefined) return;
    const queue = this.queues.get(key)!;
    let advanced: ChunkState | undefined;
    let covered: ChunkState[] = [];
    while (queue.head < queue.chunks.length && queue.chunks[queue.head]!.done) {
      const head = queue.chunks[queue.head]!;
      queue.passed.push(head);
      if (head.checkpoint) {
        advanced = head;
        covered = covered.length === 0 ? queue.passed : covered.concat(queue.passed);
        queue.passed = [];
      }
      queue.head++;
    }
    // Compact now and then so a long cycle does not keep every chunk object alive.
    if (queue.head > 1024 && queue.head * 2 > queue.chunks.length) {
      queue.chunks = queue.chunks.slice(queue.head);
      queue.head = 0;
    }
    if (advanced) this.onCommittable(key, advanced.checkpoint!.position, covered);
  }

  /**
   * Done chunks that no checkpoint covers yet (a source that checkpoints every N chunks): no commit
   * can free their budget until a later chunk comes, so when the budget is full they must be let go.
   */
  uncovered(): ChunkState[] {
    const out: ChunkState[] = [];
    for (const queue of this.queues.values()) out.push(...queue.passed);
    return out;
  }
}
