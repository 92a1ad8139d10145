import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  filterTransform,
  functionTransform,
  MemoryCheckpointStore,
  MemorySink,
  mapTransform,
} from "../src/builtins.js";
import {
  createMessage,
  deriveMessage,
  FatalError,
  type Message,
  Pipeline,
  runPipeline,
  type Transform,
} from "../src/index.js";
import { ArraySource, chunked, ManualSource, messages, ScriptedSink } from "./helpers.js";

/** An async transform whose delay per message is given; uses timers, so runs under fake timers. */
const delayed = (delayOf: (m: Message<{ n: number }>) => number): Transform<{ n: number }> =>
  functionTransform<{ n: number }>(
    (m) => new Promise<Message>((resolve) => setTimeout(() => resolve(m), delayOf(m))),
    "delayed",
  );

describe("engine", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("keeps source order through async transforms when ordered", async () => {
    const sink = new MemorySink();
    const run = runPipeline({
      source: new ArraySource(chunked(messages(20), 5)),
      transforms: [delayed((m) => (20 - m.value.n) * 10)],
      sinks: [{ id: "s", sink, batch: { lingerMs: 0 } }],
      deadLetter: new MemorySink(),
      transformConcurrency: 8,
      ordered: true,
    });
    await vi.advanceTimersByTimeAsync(10_000);
    await run;
    expect(sink.messages.map((m) => m.id)).toEqual(messages(20).map((m) => m.id));
  });

  it("delivers in completion order when unordered, and caps async transform concurrency", async () => {
    const sink = new MemorySink();
    let active = 0;
    let peak = 0;
    const transform = functionTransform<{ n: number }>(async (m) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, (10 - m.value.n) * 10));
      active--;
      return m;
    });
    const run = runPipeline({
      source: new ArraySource(chunked(messages(10), 10)),
      transforms: [transform],
      sinks: [{ id: "s", sink, batch: { lingerMs: 0 } }],
      deadLetter: new MemorySink(),
      transformConcurrency: 3,
      ordered: false,
    });
    await vi.advanceTimersByTimeAsync(10_000);
    const report = await run;
    expect(peak).toBe(3);
    expect(report.sent).toEqual({ s: 10 });
    expect(sink.messages.map((m) => m.id)).not.toEqual(messages(10).map((m) => m.id));
    expect(sink.messages.map((m) => m.id).sort()).toEqual(
      messages(10)
        .map((m) => m.id)
        .sort(),
    );
  });

  it("acks a parent only when all its fan-out children are delivered; zero children at once", async () => {
    const store = new MemoryCheckpointStore();
    let releaseSlow!: () => void;
    const slowGate = new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    const sink = new ScriptedSink(async (batch) => {
      if (batch.some((m) => m.id === "m0#1")) await slowGate;
    });
    const pipeline = new Pipeline({
      source: new ArraySource([
        { messages: messages(1), checkpoint: { key: "k", position: 1 } },
        { messages: messages(1, 10, 1), checkpoint: { key: "k", position: 2 } },
      ]),
      transforms: [
        functionTransform<{ n: number }>((m) =>
          m.value.n === 0 ? [0, 1].map((c) => deriveMessage(m, m.value, { id: `${m.id}#${c}` })) : [],
        ),
      ],
      sinks: [{ id: "s", sink, batch: { maxCount: 1, lingerMs: 0 } }],
      deadLetter: new MemorySink(),
      checkpointStore: store,
    });
    await pipeline.open();
    const run = pipeline.runCycle();
    await vi.advanceTimersByTimeAsync(0);
    // m1 has no children (acked at once) but m0's second child is still in flight: nothing committed.
    expect(sink.delivered.map((m) => m.id)).toEqual(["m0#0"]);
    expect(store.history).toEqual([]);
    releaseSlow();
    const report = await run;
    expect(store.history).toEqual([{ key: "k", position: 2 }]);
    expect(report.checkpoints).toEqual({ commits: 1, keys: 1 });
    await pipeline.close();
  });

  it("delivers every message to every sink", async () => {
    const a = new MemorySink();
    const b = new MemorySink();
    const report = await runPipeline({
      source: new ArraySource(chunked(messages(5), 2)),
      transforms: [
        mapTransform<{ n: number }, { n: number }>((v) => ({ n: v.n * 10 })),
        filterTransform<{ n: number }>((v) => v.n !== 20),
      ],
      sinks: [
        { id: "a", sink: a, batch: { lingerMs: 0 } },
        { id: "b", sink: b, batch: { maxCount: 2, lingerMs: 0 }, concurrency: 2 },
      ],
      deadLetter: new MemorySink(),
    });
    expect(a.values).toEqual([{ n: 0 }, { n: 10 }, { n: 30 }, { n: 40 }]);
    expect(new Set(b.values.map((v) => JSON.stringify(v)))).toEqual(
      new Set(a.values.map((v) => JSON.stringify(v))),
    );
    expect(report.sent).toEqual({ a: 4, b: 4 });
    expect(report.received).toBe(5);
  });

  it("drains in-flight work on stop within the timeout and commits it", async () => {
    const source = new ManualSource();
    const sink = new ScriptedSink(() => new Promise((resolve) => setTimeout(resolve, 500)));
    const store = new MemoryCheckpointStore();
    const pipeline = new Pipeline({
      source,
      sinks: [{ id: "slow", sink, batch: { maxCount: 2, lingerMs: 0 } }],
      deadLetter: new MemorySink(),
      checkpointStore: store,
    });
    await pipeline.open();
    const run = pipeline.runCycle();
    source.push({ messages: messages(4), checkpoint: { key: "k", position: 4 } });
    await vi.advanceTimersByTimeAsync(100);
    const stopping = pipeline.stop({ timeoutMs: 5_000 });
    await vi.advanceTimersByTimeAsync(1_000);
    const stop = await stopping;
    expect(stop).toMatchObject({
      drained: true,
      abandonedMessages: 0,
      checkpoints: { commits: 1, keys: 1 },
    });
    expect(store.positions.get("k")).toBe(4);
    expect(sink.delivered).toHaveLength(4);
    expect((await run).stopped).toBe(true);
    await pipeline.close();
  });

  it("rejects with a FatalError thrown by a transform and stops the source", async () => {
    const source = new ManualSource();
    const pipeline = new Pipeline({
      source,
      transforms: [
        functionTransform(() => {
          throw new FatalError("mapping table missing");
        }),
      ],
      sinks: [{ id: "s", sink: new MemorySink() }],
      deadLetter: new MemorySink(),
    });
    await pipeline.open();
    const run = pipeline.runCycle();
    source.push({ messages: [createMessage("x", 1)] });
    await expect(run).rejects.toThrow("mapping table missing");
    await pipeline.close();
  });

  it("rejects a configuration without sinks or with duplicate sink ids", () => {
    const source = new ArraySource([]);
    expect(() => new Pipeline({ source, sinks: [] })).toThrow("at least one sink");
    expect(
      () =>
        new Pipeline({
          source,
          sinks: [
            { id: "x", sink: new MemorySink() },
            { id: "x", sink: new MemorySink() },
          ],
        }),
    ).toThrow('Duplicate sink id "x" at sinks[1]');
  });
});
