import { newSegment, type Segment, type SinkFanOut } from "./fan-out.js";

/** A chunk's outputs in ordered mode: emitted once all its async messages are done and earlier chunks went. */
export interface ChunkOutput {
  readonly segments: Segment[];
  pending: number;
  sealed: boolean;
}

/** Keeps source order into the sinks when transforms are asynchronous: chunks' outputs leave in admission order. */
export class OrderedOutput {
  private readonly queue: ChunkOutput[] = [];

  constructor(private readonly fanOut: SinkFanOut) {}

  /** The outputs of the chunk admitted now, queued behind those of earlier chunks. */
  open(): ChunkOutput {
    const output: ChunkOutput = { segments: [newSegment()], pending: 0, sealed: false };
    this.queue.push(output);
    return output;
  }

  /**
   * Emits what `output` holds so far if nothing can come before it any more (its chunk heads the
   * queue and none of its messages waits on an asynchronous transform), and returns the segment
   * to go on filling: a fresh one then, else `current`. A long chunk then reaches the sinks while
   * it is still being transformed, in the same order as if it were emitted whole.
   */
  emitReady(output: ChunkOutput, current: Segment): Segment {
    if (this.queue[0] !== output || output.pending > 0) return current;
    for (const segment of output.segments) this.fanOut.emit(segment);
    const fresh = newSegment();
    output.segments.length = 0;
    output.segments.push(fresh);
    return fresh;
  }

  /** Emits the chunks at the head of the queue that are complete. */
  drain(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (!head.sealed || head.pending > 0) return;
      this.queue.shift();
      for (const segment of head.segments) this.fanOut.emit(segment);
    }
  }
}
