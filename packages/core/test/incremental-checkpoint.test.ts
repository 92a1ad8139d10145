import { afterEach, describe, expect, it, vi } from "vitest";
import type { CheckpointWrites, IncrementalPosition } from "../src/advanced.js";
import { MemoryCheckpointStore, MemorySink } from "../src/builtins.js";
import { Pipeline, type SourceChunk } from "../src/index.js";
import {
  ArraySource,
  chunked,
  ManualSource,
  messages,
  ScriptedSink,
  settleEventLoop,
  until,
} from "./helpers.js";

/** A source state that records which positions were asked for their writes, and which became durable. */
class RecordingState {
  readonly flushed: number[] = [];
  readonly durable: number[] = [];
  position(seq: number): IncrementalPosition {
    return {
      checkpointWrites: (): CheckpointWrites => {
        this.flushed.push(seq);
        return {
          entries: new Map<string, unknown>([
            ["t", { upTo: seq }],
            [`t#part${seq % 2}`, seq],
          ]),
          durable: () => this.durable.push(seq),
        };
      },
    };
  }
}

describe("incremental positions and coalesced commits", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("asks only the newest acknowledged position per flush, and only after every earlier message was acknowledged", async () => {
    vi.useFakeTimers();
    const state = new RecordingState();
    const source = new ManualSource();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const sink = new ScriptedSink(async (batch) => {
      if (batch.some((m) => m.id === "m0")) await gate;
    });
    const store = new MemoryCheckpointStore();
    const pipeline = new Pipeline({
      source,
      sinks: [{ id: "s", sink, batch: { maxCount: 1, lingerMs: 0 } }],
      deadLetter: new MemorySink(),
      checkpointStore: store,
      checkpoint: { flushIntervalMs: 1_000 },
    });
    await pipeline.open();
    const run = pipeline.runCycle();
    const all = messages(6);
    const chunk = (i: number): SourceChunk => ({
      messages: [all[i]!],
      checkpoint: { key: "t", position: state.position(i + 1) },
    });
    // The first message's delivery hangs: nothing after it may be flushed.
    for (let i = 0; i < 6; i++) source.push(chunk(i));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(state.flushed).toEqual([]);
    expect(store.history).toEqual([]);
    release();
    await vi.advanceTimersByTimeAsync(0);
    // All six became committable at once; the flush interval has not passed yet.
    expect(state.flushed).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(state.flushed).toEqual([6]);
    expect(state.durable).toEqual([6]);
    expect(store.positions.get("t")).toEqual({ upTo: 6 });
    source.push("end");
    const report = await run;
    expect(report.checkpoints).toEqual({ commits: 1, keys: 1 });
    await pipeline.close();
  });

  it("flushes at the end of a cycle without waiting for the interval, one store write for every key", async () => {
    const state = new RecordingState();
    const source = new ManualSource();
    const store = new MemoryCheckpointStore();
    const commitMany = vi.spyOn(store, "commitMany");
    const pipeline = new Pipeline({
      source,
      sinks: [{ id: "s", sink: new MemorySink() }],
      deadLetter: new MemorySink(),
      checkpointStore: store,
      checkpoint: { flushIntervalMs: 60_000 },
    });
    await pipeline.open();
    const run = pipeline.runCycle();
    const all = messages(3);
    source.push({ messages: [all[0]!], checkpoint: { key: "t", position: state.position(1) } });
    source.push({ messages: [all[1]!], checkpoint: { key: "plain", position: { next: 2 } } });
    source.push({ messages: [all[2]!], checkpoint: { key: "t", position: state.position(3) } });
    source.push("end");
    await run;
    expect(state.flushed).toEqual([3]);
    expect(commitMany).toHaveBeenCalledTimes(1);
    expect([...commitMany.mock.calls[0]![0].keys()].sort()).toEqual(["plain", "t", "t#part1"]);
    expect(store.positions.get("plain")).toEqual({ next: 2 });
    await pipeline.close();
  });

  it("does not call durable() when the store write fails, and the cycle fails naming the store", async () => {
    const state = new RecordingState();
    const source = new ManualSource();
    const store = new MemoryCheckpointStore();
    vi.spyOn(store, "commitMany").mockRejectedValue(new Error("disk full"));
    const pipeline = new Pipeline({
      source,
      sinks: [{ id: "s", sink: new MemorySink() }],
      deadLetter: new MemorySink(),
      checkpointStore: store,
    });
    await pipeline.open();
    const run = pipeline.runCycle();
    source.push({ messages: messages(1), checkpoint: { key: "t", position: state.position(1) } });
    source.push("end");
    await expect(run).rejects.toThrow(/Checkpoint store failed to commit: disk full/);
    expect(state.flushed).toEqual([1]);
    expect(state.durable).toEqual([]);
    await pipeline.close();
  });
});

describe("budget held until the covering checkpoint is durable", () => {
  it("reads no further than the budget while acknowledged messages wait for their commit", async () => {
    const store = new MemoryCheckpointStore();
    let releaseStore!: () => void;
    const gate = new Promise<void>((resolve) => {
      releaseStore = resolve;
    });
    const commitMany = store.commitMany.bind(store);
    vi.spyOn(store, "commitMany").mockImplementation(async (entries) => {
      await gate;
      return commitMany(entries);
    });
    const all = messages(50);
    const source = new ArraySource(chunked(all, 5));
    const sink = new MemorySink();
    const pipeline = new Pipeline({
      source,
      sinks: [{ id: "s", sink, batch: { maxCount: 5, lingerMs: 0 } }],
      deadLetter: new MemorySink(),
      checkpointStore: store,
      budget: { maxMessages: 10 },
      checkpoint: { flushIntervalMs: 0 },
    });
    await pipeline.open();
    const run = pipeline.runCycle();
    await until(() => sink.messages.length >= 10);
    await settleEventLoop();
    // Delivered but not committed: a crash now re-sends these, so no more is read meanwhile.
    expect(sink.messages).toHaveLength(10);
    expect(source.produced).toBe(10);
    releaseStore();
    await run;
    expect(sink.messages).toHaveLength(50);
    expect(store.positions.get("k")).toEqual({ next: 50 });
    await pipeline.close();
  });

  it("lets go of held budget no checkpoint can cover yet, so a sparse-checkpoint source never stalls", async () => {
    const all = messages(50);
    const chunks: SourceChunk[] = [];
    for (let i = 0; i < 50; i += 5) {
      chunks.push(
        i + 5 < 50
          ? { messages: all.slice(i, i + 5), partition: "k" }
          : { messages: all.slice(i, i + 5), checkpoint: { key: "k", position: { next: 50 } } },
      );
    }
    const store = new MemoryCheckpointStore();
    const sink = new MemorySink();
    const pipeline = new Pipeline({
      source: new ArraySource(chunks),
      sinks: [{ id: "s", sink, batch: { maxCount: 5, lingerMs: 0 } }],
      deadLetter: new MemorySink(),
      checkpointStore: store,
      budget: { maxMessages: 10 },
    });
    await pipeline.open();
    await pipeline.runCycle();
    expect(sink.messages).toHaveLength(50);
    expect(store.positions.get("k")).toEqual({ next: 50 });
    await pipeline.close();
  });
});
