import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { backoffDelay, type DeadLetterRecord, type RetryPolicy } from "../src/advanced.js";
import { MemoryCheckpointStore, MemorySink } from "../src/builtins.js";
import { Pipeline, RetryableError } from "../src/index.js";
import { ArraySource, chunked, messages, ScriptedSink } from "./helpers.js";

const policy: RetryPolicy = { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 1_000, maxElapsedMs: 60_000 };

describe("backoffDelay", () => {
  it("grows exponentially up to the cap", () => {
    const top = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(policy, n, top))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
  });

  it("jitters over the full range [0, ceiling)", () => {
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
    const samples = Array.from({ length: 500 }, () => backoffDelay(policy, 3, Math.random));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThan(400);
    expect(new Set(samples).size).toBeGreaterThan(50);
  });

  it("treats Retry-After as a floor", () => {
    expect(backoffDelay(policy, 1, () => 0.5, 5_000)).toBe(5_000);
    expect(backoffDelay(policy, 4, () => 0.5, 10)).toBe(400);
  });
});

describe("sink retries", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function start(behave: ConstructorParameters<typeof ScriptedSink>[0], retry: Partial<RetryPolicy>) {
    const sink = new ScriptedSink(behave);
    const dead = new MemorySink<DeadLetterRecord>();
    const store = new MemoryCheckpointStore();
    const pipeline = new Pipeline({
      source: new ArraySource(chunked(messages(2), 2)),
      sinks: [{ id: "s", sink, batch: { lingerMs: 0 }, retry }],
      deadLetter: dead,
      checkpointStore: store,
      random: () => 0.5,
    });
    await pipeline.open();
    return { sink, dead, store, pipeline, run: pipeline.runCycle() };
  }

  it("waits backoff delays that grow between attempts, then delivers", async () => {
    const { sink, pipeline, run } = await start(
      (_b, ctx) => {
        if (ctx.attempt < 4) throw new Error("503 from upstream");
      },
      { initialDelayMs: 100, maxDelayMs: 10_000 },
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(sink.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(49); // delay 1 = 0.5 × 100
    expect(sink.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sink.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(99); // delay 2 = 0.5 × 200
    expect(sink.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sink.calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(200); // delay 3 = 0.5 × 400
    const report = await run;
    expect(sink.calls.map((c) => c.attempt)).toEqual([1, 2, 3, 4]);
    expect(report.retries).toBe(3);
    expect(report.sent).toEqual({ s: 2 });
    expect(report.deadLettered).toBe(0);
    await pipeline.close();
  });

  it("honours Retry-After from the sink", async () => {
    const { sink, pipeline, run } = await start(
      (_b, ctx) => {
        if (ctx.attempt === 1) throw new RetryableError("429", { retryAfterMs: 7_000 });
      },
      { initialDelayMs: 100 },
    );
    await vi.advanceTimersByTimeAsync(6_999);
    expect(sink.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sink.calls).toHaveLength(2);
    expect((await run).sent).toEqual({ s: 2 });
    await pipeline.close();
  });

  it("after maxAttempts leaves the batch unacknowledged and uncommitted instead of dead-lettering it", async () => {
    const { sink, dead, pipeline, run, store } = await start(
      (_b, ctx) => {
        throw new Error(`still down (attempt ${ctx.attempt})`);
      },
      { maxAttempts: 3, initialDelayMs: 10 },
    );
    await vi.advanceTimersByTimeAsync(1_000);
    const report = await run;
    expect(sink.calls).toHaveLength(3);
    expect(report.deadLettered).toBe(0);
    expect(dead.values).toEqual([]);
    expect(report.undelivered).toEqual({ s: 2 });
    expect(report.unacknowledged).toBe(2);
    expect(await store.load("k")).toBeUndefined();
    expect(report.errors).toEqual([
      expect.objectContaining({
        stage: "sink",
        component: "s",
        errorClass: "exhausted",
        message: "still down (attempt 3)",
        count: 1,
      }),
    ]);
    await pipeline.close();
  });

  it("gives up when the next wait would pass maxElapsedMs", async () => {
    const { sink, dead, pipeline, run } = await start(
      () => {
        throw new Error("down");
      },
      { maxAttempts: 100, initialDelayMs: 1_000, maxDelayMs: 1_000_000, maxElapsedMs: 4_000 },
    );
    // waits 500, 1000, 2000 (elapsed 3500); the next (4000) would end past 4000 ms.
    await vi.advanceTimersByTimeAsync(10_000);
    await run;
    expect(sink.calls.map((c) => c.at - sink.calls[0]!.at)).toEqual([0, 500, 1_500, 3_500]);
    expect(dead.values).toEqual([]);
    await pipeline.close();
  });
});
