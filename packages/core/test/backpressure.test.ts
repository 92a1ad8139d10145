import { describe, expect, it } from "vitest";
import { GenerateSource, MemoryCheckpointStore } from "../src/builtins.js";
import { Pipeline, type Sink } from "../src/index.js";
import { deadLetterSink, settleEventLoop, until } from "./helpers.js";

/** Accepts writes and never answers them. */
class NeverSink implements Sink {
  readonly type = "never";
  writes = 0;
  write(): Promise<void> {
    this.writes++;
    return new Promise(() => {});
  }
}

class CountingGenerate extends GenerateSource {
  produced = 0;
  override async *read(ctx: Parameters<GenerateSource["read"]>[0]) {
    for await (const chunk of super.read(ctx)) {
      this.produced += chunk.messages.length;
      yield chunk;
    }
  }
}

describe("backpressure", () => {
  it("stops pulling the source when the message budget is full and the sink never completes", async () => {
    const source = new CountingGenerate({ count: 10_000, size: 100, chunkSize: 10 });
    const sink = new NeverSink();
    const store = new MemoryCheckpointStore();
    const pipeline = new Pipeline({
      source,
      sinks: [{ id: "never", sink, batch: { maxCount: 5, lingerMs: 0 }, concurrency: 4 }],
      deadLetter: deadLetterSink(),
      checkpointStore: store,
      budget: { maxMessages: 100, maxBytes: 1 << 30 },
    });
    await pipeline.open();
    const run = pipeline.runCycle();
    await until(() => source.produced >= 100);
    await settleEventLoop();
    expect(source.produced).toBeLessThanOrEqual(100 + 10);
    expect(sink.writes).toBe(4); // the sink's concurrency, no more

    const stop = await pipeline.stop({ timeoutMs: 20 });
    expect(stop.drained).toBe(false);
    expect(stop.abandonedMessages).toBe(source.produced);
    const report = await run;
    expect(report.stopped).toBe(true);
    expect(report.abandoned).toBe(source.produced);
    expect(store.history).toEqual([]); // nothing acked, nothing committed
    await pipeline.close();
  });

  it("bounds in-flight bytes too", async () => {
    const source = new CountingGenerate({ count: 10_000, size: 1024, chunkSize: 4 });
    const pipeline = new Pipeline({
      source,
      sinks: [{ id: "never", sink: new NeverSink(), batch: { maxCount: 1000, lingerMs: 0 } }],
      deadLetter: deadLetterSink(),
      budget: { maxMessages: 1_000_000, maxBytes: 20 * 1024 },
    });
    await pipeline.open();
    const run = pipeline.runCycle();
    await until(() => source.produced >= 19);
    await settleEventLoop();
    // 20 KiB of ~1 KiB messages: the budget fills after 20 messages at most, plus one chunk of 4.
    expect(source.produced).toBeLessThanOrEqual(20 + 4);
    await pipeline.stop({ timeoutMs: 10 });
    await run;
    await pipeline.close();
  });
});
