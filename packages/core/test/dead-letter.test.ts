import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DeadLetterRecord } from "../src/advanced.js";
import { functionTransform, MemoryCheckpointStore, MemorySink } from "../src/builtins.js";
import { FatalError, type Message, Pipeline, PoisonError, runPipeline, type Sink } from "../src/index.js";
import { ArraySource, chunked, messages, ScriptedSink } from "./helpers.js";

const poisonIfContains = (bad: ReadonlySet<string>) => (batch: readonly Message[]) => {
  const found = batch.find((m) => bad.has(m.id));
  if (found) throw new PoisonError(`422: record ${found.id} rejected`);
};

describe("dead letters", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "pipekit-dlq-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("dead-letters a poison message alone and delivers the rest", async () => {
    const sink = new ScriptedSink(poisonIfContains(new Set(["m2"])));
    const dead = new MemorySink<DeadLetterRecord>();
    const store = new MemoryCheckpointStore();
    const report = await runPipeline({
      source: new ArraySource(chunked(messages(4), 4)),
      sinks: [{ id: "akto", sink, batch: { maxCount: 1, lingerMs: 0 } }],
      deadLetter: dead,
      checkpointStore: store,
    });
    expect(sink.delivered.map((m) => m.id)).toEqual(["m0", "m1", "m3"]);
    expect(dead.values).toEqual([
      expect.objectContaining({
        stage: "sink",
        component: "akto",
        attempts: 1,
        error: { name: "PoisonError", message: "422: record m2 rejected", class: "poison" },
        message: expect.objectContaining({ id: "m2", value: { n: 2 } }),
      }),
    ]);
    expect(report.deadLettered).toBe(1);
    expect(store.positions.get("k")).toEqual({ next: 4 }); // the dead letter counts as acknowledged
  });

  it("bisects a poisoned batch to find the bad messages", async () => {
    const sink = new ScriptedSink(poisonIfContains(new Set(["m3", "m6"])));
    const dead = new MemorySink<DeadLetterRecord>();
    const report = await runPipeline({
      source: new ArraySource(chunked(messages(8), 8)),
      sinks: [{ id: "akto", sink, batch: { maxCount: 8, lingerMs: 0 } }],
      deadLetter: dead,
    });
    expect(dead.values.map((r) => r.message.id)).toEqual(["m3", "m6"]);
    expect(sink.delivered.map((m) => m.id).sort()).toEqual(["m0", "m1", "m2", "m4", "m5", "m7"]);
    expect(report.sent).toEqual({ akto: 6 });
    // 8 → 4+4 → (2+2)+(2+2) → singles only where the poison is: far fewer than 8 single writes + 1.
    expect(sink.calls.length).toBeLessThanOrEqual(11);
    expect(sink.calls[0]!.ids).toHaveLength(8);
  });

  it("dead-letters exactly the messages a sink reports as failed", async () => {
    const sink = new ScriptedSink(() => ({ failed: [{ index: 1, error: new Error("field too long") }] }));
    const dead = new MemorySink<DeadLetterRecord>();
    const report = await runPipeline({
      source: new ArraySource(chunked(messages(3), 3)),
      sinks: [{ id: "s", sink, batch: { lingerMs: 0 } }],
      deadLetter: dead,
    });
    expect(dead.values.map((r) => [r.message.id, r.error.message])).toEqual([["m1", "field too long"]]);
    expect(report.sent).toEqual({ s: 2 });
  });

  it("dead-letters the message a transform throws on, with the transform as component", async () => {
    const sink = new ScriptedSink();
    const dead = new MemorySink<DeadLetterRecord>();
    const store = new MemoryCheckpointStore();
    const report = await runPipeline({
      source: new ArraySource(chunked(messages(3), 3)),
      transforms: [
        functionTransform<{ n: number }>((m) => {
          if (m.value.n === 1) throw new Error("cannot map n=1");
          return m;
        }),
      ],
      sinks: [{ id: "s", sink, batch: { lingerMs: 0 } }],
      deadLetter: dead,
      checkpointStore: store,
    });
    expect(sink.delivered.map((m) => m.id)).toEqual(["m0", "m2"]);
    expect(dead.values).toEqual([
      expect.objectContaining({
        stage: "transform",
        component: "transforms[0]",
        error: expect.objectContaining({ message: "cannot map n=1" }),
        message: expect.objectContaining({ id: "m1" }),
      }),
    ]);
    expect(report.errors).toEqual([expect.objectContaining({ stage: "transform", count: 1 })]);
    expect(store.positions.get("k")).toEqual({ next: 3 });
  });

  it("dead-letters rows a source rejected, with the source as component, and still commits the chunk", async () => {
    const dead = new MemorySink<DeadLetterRecord>();
    const store = new MemoryCheckpointStore();
    const sink = new MemorySink();
    const [first, second] = chunked(messages(4), 2);
    const rejected = [{ message: messages(1)[0]!, error: new Error("request is not valid JSON") }];
    const report = await runPipeline({
      source: new ArraySource([{ ...first!, messages: first!.messages, rejected }, second!]),
      sinks: [{ id: "out", sink, batch: { maxCount: 10, lingerMs: 0 } }],
      deadLetter: dead,
      checkpointStore: store,
    });
    expect(sink.values).toHaveLength(4);
    expect(dead.values).toEqual([
      expect.objectContaining({
        stage: "source",
        error: expect.objectContaining({ message: "request is not valid JSON" }),
        message: expect.objectContaining({ id: "m0" }),
      }),
    ]);
    expect(report.deadLettered).toBe(1);
    expect(store.positions.get("k")).toEqual({ next: 4 });
  });

  it("writes dead letters to a JSONL file by default", async () => {
    const path = join(dir, "dead.jsonl");
    await runPipeline({
      source: new ArraySource(chunked(messages(2), 2)),
      transforms: [
        functionTransform((m) => {
          if (m.id === "m0") throw new Error("bad m0");
          return m;
        }),
      ],
      sinks: [{ id: "s", sink: new ScriptedSink(), batch: { lingerMs: 0 } }],
      deadLetter: path,
    });
    const lines = (await readFile(path, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as DeadLetterRecord);
    expect(lines.map((l) => [l.message.id, l.error.message, l.stage])).toEqual([
      ["m0", "bad m0", "transform"],
    ]);
  });

  it("stops with a FatalError and commits nothing past the loss when the dead-letter sink fails", async () => {
    const brokenDead: Sink = {
      type: "broken",
      write: async () => {
        throw new Error("disk full");
      },
    };
    const store = new MemoryCheckpointStore();
    const source = new ArraySource([
      ...chunked(messages(2), 2),
      ...chunked(messages(2, 10, 2), 2).map((c) => ({
        ...c,
        checkpoint: { key: "k", position: { next: 4 } },
      })),
    ]);
    const pipeline = new Pipeline({
      source,
      transforms: [functionTransform((m) => (m.id === "m2" ? Promise.reject(new Error("bad")) : m))],
      sinks: [{ id: "s", sink: new ScriptedSink(), batch: { lingerMs: 0 } }],
      deadLetter: brokenDead,
      checkpointStore: store,
    });
    await pipeline.open();
    const error = await pipeline.runCycle().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FatalError);
    expect((error as Error).message).toContain('Dead-letter sink "dead_letter" failed: disk full');
    expect(store.positions.get("k")).not.toEqual({ next: 4 });
    await pipeline.close();
  });

  it("rejects the cycle with a sink's fatal error", async () => {
    const pipeline = new Pipeline({
      source: new ArraySource(chunked(messages(2), 2)),
      sinks: [
        {
          id: "s",
          sink: new ScriptedSink(() => {
            throw new FatalError("Authentication failed: invalid token");
          }),
          batch: { lingerMs: 0 },
        },
      ],
      deadLetter: new MemorySink(),
    });
    await pipeline.open();
    await expect(pipeline.runCycle()).rejects.toThrow("Authentication failed: invalid token");
    await pipeline.close();
  });
});
