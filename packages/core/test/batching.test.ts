import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MemoryCheckpointStore } from "../src/builtins.js";
import { createMessage, Pipeline } from "../src/index.js";
import { ArraySource, chunked, deadLetterSink, ManualSource, messages, ScriptedSink } from "./helpers.js";

describe("batching", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("cuts batches by count and flushes the final partial batch on completion", async () => {
    const sink = new ScriptedSink();
    const pipeline = new Pipeline({
      source: new ArraySource(chunked(messages(7), 7)),
      sinks: [{ id: "s", sink, batch: { maxCount: 3, lingerMs: 60_000 } }],
      deadLetter: deadLetterSink(),
    });
    await pipeline.open();
    const report = await pipeline.runCycle();
    expect(sink.calls.map((c) => c.ids.length)).toEqual([3, 3, 1]);
    expect(report.sent).toEqual({ s: 7 });
    await pipeline.close();
  });

  it("cuts batches by bytes before a message would overflow the limit", async () => {
    const sink = new ScriptedSink();
    const pipeline = new Pipeline({
      source: new ArraySource(chunked(messages(5, 100), 5)),
      sinks: [{ id: "s", sink, batch: { maxCount: 100, maxBytes: 250, lingerMs: 60_000 } }],
      deadLetter: deadLetterSink(),
    });
    await pipeline.open();
    await pipeline.runCycle();
    expect(sink.calls.map((c) => c.ids.length)).toEqual([2, 2, 1]);
    await pipeline.close();
  });

  it("flushes a partial batch after the linger time", async () => {
    const source = new ManualSource();
    const sink = new ScriptedSink();
    const pipeline = new Pipeline({
      source,
      sinks: [{ id: "s", sink, batch: { maxCount: 100, lingerMs: 1_000 } }],
      deadLetter: deadLetterSink(),
    });
    await pipeline.open();
    const run = pipeline.runCycle();
    source.push({ messages: messages(2) });
    await vi.advanceTimersByTimeAsync(999);
    expect(sink.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(sink.calls.map((c) => c.ids)).toEqual([["m0", "m1"]]);
    source.push("end");
    await run;
    await pipeline.close();
  });

  it("flushes the partial batch on stop and commits it", async () => {
    const source = new ManualSource();
    const sink = new ScriptedSink();
    const store = new MemoryCheckpointStore();
    const pipeline = new Pipeline({
      source,
      sinks: [{ id: "s", sink, batch: { maxCount: 100, lingerMs: 60_000 } }],
      deadLetter: deadLetterSink(),
      checkpointStore: store,
    });
    await pipeline.open();
    const run = pipeline.runCycle();
    source.push({ messages: messages(3), checkpoint: { key: "k", position: 3 } });
    await vi.advanceTimersByTimeAsync(10);
    expect(sink.calls).toHaveLength(0); // still lingering
    const stop = await pipeline.stop({ timeoutMs: 5_000 });
    expect(stop.drained).toBe(true);
    expect(sink.calls.map((c) => c.ids.length)).toEqual([3]);
    expect(stop.checkpoints).toEqual({ commits: 1, keys: 1 });
    expect(store.positions.get("k")).toBe(3);
    const report = await run;
    expect(report.stopped).toBe(true);
    expect(store.positions.get("k")).toBe(3);
    await pipeline.close();
  });

  it("sends a message larger than maxBytes alone", async () => {
    const sink = new ScriptedSink();
    const big = createMessage("big", "x".repeat(500));
    const pipeline = new Pipeline({
      source: new ArraySource([{ messages: [...messages(1, 10), big, ...messages(1, 10, 1)] }]),
      sinks: [{ id: "s", sink, batch: { maxBytes: 100, lingerMs: 0 } }],
      deadLetter: deadLetterSink(),
    });
    await pipeline.open();
    await pipeline.runCycle();
    expect(sink.calls.map((c) => c.ids)).toEqual([["m0"], ["big"], ["m1"]]);
    await pipeline.close();
  });
});
