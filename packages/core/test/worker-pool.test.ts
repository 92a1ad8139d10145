import { describe, expect, it } from "vitest";
import { type DeadLetterRecord, workerPoolTransform } from "../src/advanced.js";
import { MemoryCheckpointStore, MemorySink } from "../src/builtins.js";
import { createMessage, type Logger, type Message, runPipeline } from "../src/index.js";
import { ArraySource, chunked } from "./helpers.js";

const CHAIN = new URL("./fixtures/worker-chain.ts", import.meta.url);

function values(count: number, special: Record<number, object> = {}): Message[] {
  return Array.from({ length: count }, (_, n) =>
    createMessage(`m${n}`, { n, secret: `s-${n}`, ...special[n] }, { partition: "k" }),
  );
}

function recordingLogger(lines: { obj: object; msg?: string }[]): Logger {
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: (obj, msg) => void lines.push({ obj, ...(msg !== undefined ? { msg } : {}) }),
    error: () => {},
    child: () => logger,
  };
  return logger;
}

describe("workerPoolTransform", () => {
  it("runs the chain in worker threads: every output, in source order, with encoded values and their fit rebuilt", async () => {
    const sink = new MemorySink();
    const report = await runPipeline({
      source: new ArraySource(chunked(values(500), 100)),
      transforms: [
        {
          id: "pool",
          transform: workerPoolTransform({
            module: CHAIN,
            options: { tag: "t" },
            threads: 2,
            batchMessages: 16,
          }),
        },
      ],
      sinks: [{ id: "out", sink }],
    });
    expect(report.received).toBe(500);
    expect(report.deadLettered).toBe(0);
    expect(sink.messages.map((m) => m.id)).toEqual(
      Array.from({ length: 500 }, (_, n) => [`m${n}#0`, `m${n}#1`]).flat(),
    );
    const first = sink.messages[0]!;
    expect(first.meta).toMatchObject({ partition: "k", part: 0 });
    expect(first.value).toEqual({ n: 0, secret: "[REDACTED]", tag: "t" });
    // The fit function came back across the thread through the encoded kind.
    expect(first.encoded?.fit?.(5)).toEqual({ text: '{"n":', bytes: 5, truncated: ["all"] });
  });

  it("dead-letters a rejected message as the failing transform saw it (already redacted), under its id", async () => {
    const sink = new MemorySink();
    const dead = new MemorySink<DeadLetterRecord>();
    const report = await runPipeline({
      source: new ArraySource(chunked(values(20, { 7: { bad: true } }), 10)),
      transforms: [{ id: "pool", transform: workerPoolTransform({ module: CHAIN, options: { tag: "t" } }) }],
      sinks: [{ id: "out", sink }],
      deadLetter: dead,
    });
    expect(report.deadLettered).toBe(1);
    expect(sink.messages).toHaveLength(38);
    expect(dead.values).toEqual([
      expect.objectContaining({
        stage: "transform",
        component: "pool/check",
        error: expect.objectContaining({ name: "PoisonError", message: "message m7 is bad" }),
        message: expect.objectContaining({ id: "m7", value: { n: 7, secret: "[REDACTED]", bad: true } }),
      }),
    ]);
  });

  it("stops the cycle on a FatalError inside a worker, committing nothing past it", async () => {
    const store = new MemoryCheckpointStore();
    await expect(
      runPipeline({
        source: new ArraySource(chunked(values(30, { 12: { fatal: true } }), 5)),
        transforms: [
          { id: "pool", transform: workerPoolTransform({ module: CHAIN, options: { tag: "t" } }) },
        ],
        sinks: [{ id: "out", sink: new MemorySink() }],
        checkpointStore: store,
      }),
    ).rejects.toThrow("check: message m12 is fatal");
    const committed = (store.positions.get("k") as { next: number } | undefined)?.next ?? 0;
    expect(committed).toBeLessThanOrEqual(10);
  });

  it("relays the transforms' log lines and counters to the main thread", async () => {
    const lines: { obj: object; msg?: string }[] = [];
    const added: { value: number; attributes: unknown }[] = [];
    const meter = {
      createCounter: (name: string) => ({
        add: (value: number, attributes: unknown) => {
          if (name === "hidden_total") added.push({ value, attributes });
        },
      }),
      createHistogram: () => ({ record() {} }),
      createUpDownCounter: () => ({ add() {} }),
      createObservableGauge: () => ({ addCallback() {}, removeCallback() {} }),
      createObservableUpDownCounter: () => ({ addCallback() {}, removeCallback() {} }),
      createGauge: () => ({ record() {} }),
    } as never;
    await runPipeline({
      source: new ArraySource(chunked(values(40), 40)),
      transforms: [{ id: "pool", transform: workerPoolTransform({ module: CHAIN, options: { tag: "x" } }) }],
      sinks: [{ id: "out", sink: new MemorySink() }],
      logger: recordingLogger(lines),
      meter,
    });
    expect(lines).toContainEqual({
      obj: expect.objectContaining({ n: 0, component: "pool/hide" }),
      msg: "first message seen",
    });
    expect(added.reduce((sum, a) => sum + a.value, 0)).toBe(40);
    expect(added.every((a) => JSON.stringify(a.attributes) === '{"tag":"x"}')).toBe(true);
  });

  it("fails to open with the module's problem named", async () => {
    const pool = workerPoolTransform({ module: CHAIN, exportName: "nope" });
    const ctx = {
      componentId: "pool",
      logger: recordingLogger([]),
      meter: {} as never,
      tracer: {} as never,
      signal: new AbortController().signal,
    };
    await expect(pool.open?.(ctx)).rejects.toThrow('exports no function "nope"');
  });
});
