import { describe, expect, it } from "vitest";
import { GenerateSource, MemoryCheckpointStore } from "../src/builtins.js";
import { type Message, Pipeline, type Sink, type Transform } from "../src/index.js";
import { deadLetterSink } from "./helpers.js";

/** A synchronous transform that costs real CPU per message (as redaction and mapping do). */
class BusyTransform implements Transform {
  readonly type = "busy";
  transformed = 0;
  transform(message: Message): Message {
    const until = performance.now() + 0.05;
    while (performance.now() < until) {
      // burn CPU: the point is a transform that never returns a promise
    }
    this.transformed++;
    return message;
  }
}

/** Records, for each write, how far the transform had got when the sink's I/O completed. */
class IoSink implements Sink {
  readonly type = "io";
  readonly transformedAtCompletion: number[] = [];
  readonly ids: string[] = [];
  constructor(private readonly transform: BusyTransform) {}
  write(batch: readonly Message[]): Promise<void> {
    for (const m of batch) this.ids.push(m.id);
    // Completes from the event loop, as a socket's answer would.
    return new Promise((resolve) =>
      setImmediate(() => {
        this.transformedAtCompletion.push(this.transform.transformed);
        resolve();
      }),
    );
  }
}

describe("synchronous transforms over a large chunk", () => {
  it.each([{ ordered: true }, { ordered: false }])(
    "let the sink send and hear back before the chunk is done (ordered: $ordered)",
    async ({ ordered }) => {
      const count = 2_000;
      const transform = new BusyTransform();
      const sink = new IoSink(transform);
      const pipeline = new Pipeline({
        source: new GenerateSource({ count, size: 10, chunkSize: count }),
        transforms: [{ id: "busy", transform }],
        sinks: [{ id: "io", sink, batch: { maxCount: 50, lingerMs: 0 } }],
        deadLetter: deadLetterSink(),
        checkpointStore: new MemoryCheckpointStore(),
        ordered,
      });
      await pipeline.open();
      const report = await pipeline.runCycle();
      await pipeline.close();
      expect(report.sent.io).toBe(count);
      // One chunk of 2,000 messages at >= 0.05 ms each is >= 100 ms of synchronous work: the first
      // writes went out and were answered while most of the chunk was still to be transformed.
      expect(sink.transformedAtCompletion[0]).toBeLessThan(count / 2);
      // Sent in pieces, still in source order, each message once.
      const sourceOrder = [...sink.ids].sort(
        (a, b) => Number(a.split("-").pop()) - Number(b.split("-").pop()),
      );
      expect(new Set(sink.ids).size).toBe(count);
      if (ordered) expect(sink.ids).toEqual(sourceOrder);
    },
  );
});
