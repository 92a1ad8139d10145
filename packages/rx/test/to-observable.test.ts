import {
  type CheckpointStore,
  createMessage,
  type Message,
  type Source,
  type SourceChunk,
} from "@pipekit/core";
import { MemoryCheckpointStore } from "@pipekit/core/builtins";
import { lastValueFrom, mergeMap, take, tap, timer, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { toObservable } from "../src/index.js";

/** A source of `chunks` chunks of `size` messages, each checkpointing {next}, that records what it did. */
class CountingSource implements Source<{ n: number }> {
  readonly type = "counting";
  produced = 0;
  opened = 0;
  finished = false;
  readonly closed: Promise<void>;
  private markClosed!: () => void;
  /** Called before each chunk is yielded, with how many were produced before it. */
  onChunk: (produced: number) => void = () => {};
  failAfter: number | undefined;

  constructor(
    private readonly chunks: number,
    private readonly size: number,
  ) {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
  }

  async open(): Promise<void> {
    this.opened++;
  }

  async *read(): AsyncGenerator<SourceChunk<{ n: number }>> {
    try {
      for (let c = 0; c < this.chunks; c++) {
        if (this.failAfter === c) throw new Error("the table went away");
        this.onChunk(this.produced);
        const messages: Message<{ n: number }>[] = [];
        for (let i = 0; i < this.size; i++) {
          const n = this.produced++;
          messages.push(createMessage(`m${n}`, { n }, {}, 100));
        }
        yield { messages, checkpoint: { key: "k", position: { next: this.produced } } };
      }
    } finally {
      this.finished = true;
    }
  }

  async close(): Promise<void> {
    this.markClosed();
  }
}

describe("toObservable(source): demand from the subscriber", () => {
  it("a slow subscriber holds the source at most budget + one chunk ahead of its acknowledgements", async () => {
    const source = new CountingSource(40, 5);
    const budget = 20;
    let acked = 0;
    let maxAhead = 0;
    source.onChunk = (produced) => {
      maxAhead = Math.max(maxAhead, produced + 5 - acked);
    };
    const store = new MemoryCheckpointStore();
    const values = await lastValueFrom(
      toObservable(source, { budget: { maxMessages: budget }, checkpointStore: store }).pipe(
        // Two at a time, each taking a moment: far slower than the source.
        mergeMap(
          (delivery) =>
            timer(1).pipe(
              tap(() => {
                acked++;
                delivery.ack();
              }),
              mergeMap(async () => delivery.message.value.n),
            ),
          2,
        ),
        toArray(),
      ),
    );
    expect(values.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(maxAhead).toBeLessThanOrEqual(budget + 5);
    expect(maxAhead).toBeGreaterThanOrEqual(budget);
    // Checkpoints advanced in order, to the end, only after the acknowledgements.
    expect(store.history.map((h) => (h.position as { next: number }).next)).toEqual(
      Array.from({ length: 40 }, (_, i) => (i + 1) * 5),
    );
    await source.closed;
    expect(source.opened).toBe(1);
  });

  it("unsubscribing stops reading, ends the source's iterator and closes the source", async () => {
    const source = new CountingSource(1_000, 5);
    const first = await lastValueFrom(toObservable(source, { autoAck: true }).pipe(take(7), toArray()));
    expect(first.map((d) => d.message.id)).toEqual(["m0", "m1", "m2", "m3", "m4", "m5", "m6"]);
    await source.closed;
    expect(source.finished).toBe(true);
    // The chunk being read when the subscriber left is the last one: nothing more is read.
    expect(source.produced).toBeLessThanOrEqual(15);
  });

  it("errors propagate: the Observable fails with the source's error, and the source is closed", async () => {
    const source = new CountingSource(10, 5);
    source.failAfter = 2;
    const seen: string[] = [];
    await expect(
      lastValueFrom(toObservable(source, { autoAck: true }).pipe(tap((d) => seen.push(d.message.id)))),
    ).rejects.toThrow("the table went away");
    expect(seen).toHaveLength(10);
    await source.closed;
  });

  it("a failing checkpoint commit fails the Observable instead of acknowledging silently", async () => {
    const source = new CountingSource(3, 5);
    const store: CheckpointStore = {
      load: async () => undefined,
      loadAll: async () => new Map(),
      commit: async () => {
        throw new Error("disk full");
      },
    };
    await expect(
      lastValueFrom(toObservable(source, { autoAck: true, checkpointStore: store })),
    ).rejects.toThrow("disk full");
    await source.closed;
  });
});
