import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DeadLetterRecord } from "../src/advanced.js";
import { MemoryCheckpointStore, MemorySink } from "../src/builtins.js";
import {
  type CheckpointStore,
  createMessage,
  type Message,
  Pipeline,
  RetryableError,
  type Sink,
  type Source,
  type SourceChunk,
  type SourceContext,
  type WriteContext,
} from "../src/index.js";
import { ScriptedSink } from "./helpers.js";

/**
 * A backlog of `total` messages under key "k", read from the committed position on: each pass
 * resumes where the last commit left it, as a real source does.
 */
class BacklogSource implements Source {
  readonly type = "backlog";
  produced = 0;
  constructor(
    private readonly total: number,
    private readonly chunkSize: number,
  ) {}
  async *read(ctx: SourceContext): AsyncGenerator<SourceChunk> {
    const from = ((await ctx.checkpoints.get("k")) as { next: number } | undefined)?.next ?? 0;
    for (let i = from; i < this.total; i += this.chunkSize) {
      const end = Math.min(this.total, i + this.chunkSize);
      const messages = Array.from({ length: end - i }, (_, j) =>
        createMessage(`m${i + j}`, { n: i + j }, {}, 10),
      );
      this.produced += messages.length;
      yield { messages, checkpoint: { key: "k", position: { next: end } } };
    }
  }
}

const down = () => {
  throw new RetryableError("connect ECONNREFUSED 127.0.0.1:59998");
};

function pipelineOver(
  source: Source,
  sink: Sink,
  store: CheckpointStore,
  dead: MemorySink<DeadLetterRecord>,
  retry = { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1_000 },
) {
  return new Pipeline({
    source,
    sinks: [{ id: "akto", sink, batch: { maxCount: 5, lingerMs: 0 }, retry }],
    deadLetter: dead,
    checkpointStore: store,
    checkpoint: { flushIntervalMs: 0 },
    budget: { maxMessages: 20 },
    random: () => 0.5,
  });
}

describe("an outage is not poison", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("leaves what a down sink could not take uncommitted; the next cycle sends it, once", async () => {
    const store = new MemoryCheckpointStore();
    const dead = new MemorySink<DeadLetterRecord>();
    let outage = true;
    // During the outage only the first two batches (m0..m9) get through.
    const sink = new ScriptedSink((batch) => {
      if (outage && Number(batch[0]!.id.slice(1)) >= 10) down();
    });
    const source = new BacklogSource(100, 10);
    const pipeline = pipelineOver(source, sink, store, dead);
    await pipeline.open();

    const first = pipeline.runCycle();
    await vi.advanceTimersByTimeAsync(10_000);
    const report = await first;
    expect(report.deadLettered).toBe(0);
    expect(dead.values).toEqual([]);
    expect(report.sent).toEqual({ akto: 10 });
    expect(report.undelivered.akto).toBeGreaterThan(0);
    expect(report.unacknowledged).toBe(report.undelivered.akto);
    expect(report.errors).toEqual([
      expect.objectContaining({ component: "akto", errorClass: "exhausted", message: expect.any(String) }),
    ]);
    expect(await store.load("k")).toEqual({ next: 10 });
    // Once the sink is down, reading stops (the rest would only be left too), and every later
    // batch got one try rather than a retry budget of its own.
    expect(source.produced).toBeLessThan(100);
    const triesAfterDown = sink.calls.filter((c) => Number(c.ids[0]!.slice(1)) >= 15);
    expect(triesAfterDown.every((c) => c.attempt === 1)).toBe(true);

    outage = false;
    const secondRun = pipeline.runCycle();
    await vi.advanceTimersByTimeAsync(10_000);
    const second = await secondRun;
    expect(second.undelivered).toEqual({ akto: 0 });
    expect(await store.load("k")).toEqual({ next: 100 });
    const ids = sink.delivered.map((m) => m.id);
    expect(ids).toHaveLength(100);
    expect(new Set(ids).size).toBe(100);
    await pipeline.close();
  });

  it("still dead-letters poison (a 4xx the destination will never accept) and goes on", async () => {
    const store = new MemoryCheckpointStore();
    const dead = new MemorySink<DeadLetterRecord>();
    const sink = new ScriptedSink((batch) => {
      const bad = batch.findIndex((m) => m.id === "m7");
      if (bad >= 0) return { failed: [{ index: bad, error: new Error("422 invalid record") }] };
      return undefined;
    });
    const pipeline = pipelineOver(new BacklogSource(20, 10), sink, store, dead);
    await pipeline.open();
    const run = pipeline.runCycle();
    await vi.advanceTimersByTimeAsync(1_000);
    const report = await run;
    expect(dead.values.map((r) => [r.message.id, r.error.class])).toEqual([["m7", "poison"]]);
    expect(report.undelivered).toEqual({ akto: 0 });
    expect(await store.load("k")).toEqual({ next: 20 });
    await pipeline.close();
  });
});

describe("a cycle deadline", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("stops reading, drains and commits; a backlog is worked off over several runs, nothing lost or twice", async () => {
    const store = new MemoryCheckpointStore();
    const dead = new MemorySink<DeadLetterRecord>();
    // Each write takes 100 ms: a 1 s deadline moves about 50 of the 230 messages per run.
    const sink = new ScriptedSink(() => new Promise((resolve) => setTimeout(resolve, 100)));
    const pipeline = pipelineOver(new BacklogSource(230, 10), sink, store, dead);
    await pipeline.open();
    const reports = [];
    for (let run = 0; run < 10; run++) {
      const cycle = pipeline.runCycle({ deadline: Date.now() + 1_000, drainTimeoutMs: 5_000 });
      await vi.advanceTimersByTimeAsync(7_000);
      const report = await cycle;
      reports.push(report);
      expect(report.undelivered).toEqual({ akto: 0 });
      expect(report.abandoned).toBe(0);
      if (!report.deadlineReached) break;
    }
    expect(reports.length).toBeGreaterThan(2);
    expect(reports.slice(0, -1).every((r) => r.deadlineReached)).toBe(true);
    expect(reports.at(-1)!.deadlineReached).toBe(false);
    // What a deadline left unsent was read again by the next run, and only that.
    expect(reports.reduce((n, r) => n + r.received - r.unacknowledged, 0)).toBe(230);
    expect(reports.slice(0, -1).some((r) => r.unsent.akto! > 0)).toBe(true);
    const ids = sink.delivered.map((m) => m.id);
    expect(new Set(ids).size).toBe(230);
    expect(ids).toHaveLength(230);
    expect(await store.load("k")).toEqual({ next: 230 });
    await pipeline.close();
  });

  it("with the sink down, ends within the drain time: retries that would pass it are not made, nothing is dead-lettered", async () => {
    const store = new MemoryCheckpointStore();
    const dead = new MemorySink<DeadLetterRecord>();
    const sink = new ScriptedSink(down);
    // A retry policy that on its own would keep trying for an hour.
    const retry = { maxAttempts: 1_000, initialDelayMs: 500, maxDelayMs: 5_000, maxElapsedMs: 3_600_000 };
    const pipeline = pipelineOver(new BacklogSource(50, 10), sink, store, dead, retry);
    await pipeline.open();
    const started = Date.now();
    let ended: number | undefined;
    const cycle = pipeline.runCycle({ deadline: started + 2_000, drainTimeoutMs: 1_000 }).finally(() => {
      ended = Date.now();
    });
    await vi.advanceTimersByTimeAsync(60_000);
    const report = await cycle;
    expect(ended! - started).toBeLessThanOrEqual(3_000);
    expect(report.deadlineReached).toBe(true);
    expect(report.deadLettered).toBe(0);
    expect(dead.values).toEqual([]);
    // The batch being retried at the deadline is undelivered; those queued behind it were not sent.
    expect(report.undelivered.akto).toBeGreaterThan(0);
    expect(report.undelivered.akto! + report.unsent.akto!).toBe(report.received);
    expect(report.unacknowledged).toBe(report.received);
    expect(report.abandoned).toBe(0);
    expect(await store.load("k")).toBeUndefined();
    await pipeline.close();
  });

  it("a stop during the deadline's drain waits for that drain", async () => {
    // Each write takes 1 s: at the deadline (200 ms) the first is under way.
    const sink = new ScriptedSink(() => new Promise((resolve) => setTimeout(resolve, 1_000)));
    const pipeline = pipelineOver(
      new BacklogSource(1_000, 10),
      sink,
      new MemoryCheckpointStore(),
      new MemorySink<DeadLetterRecord>(),
    );
    await pipeline.open();
    const cycle = pipeline.runCycle({ deadline: Date.now() + 200, drainTimeoutMs: 5_000 });
    await vi.advanceTimersByTimeAsync(250);
    const stopping = pipeline.stop({ timeoutMs: 5_000 });
    await vi.advanceTimersByTimeAsync(1_000);
    const stop = await stopping;
    expect(stop).toMatchObject({ drained: true, abandonedMessages: 0, undelivered: { akto: 0 } });
    const report = await cycle;
    expect(report.deadlineReached).toBe(true);
    expect(report.sent).toEqual({ akto: 5 });
    expect(report.unsent.akto).toBe(report.received - 5);
    await pipeline.close();
  });
});

/** One message's plan: which sink (if any) is down for it, and whether a sink refuses it as poison. */
interface Plan {
  readonly key: number;
  readonly downAt: number; // sink index whose writes of it always fail retryably, -1 none
  readonly poisonAt: number;
}

describe("outages and checkpoints (property)", () => {
  it("never commits past a message a sink left undelivered, and counts every one left", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(
          fc.array(
            fc.record({
              key: fc.integer({ min: 0, max: 1 }),
              downAt: fc.integer({ min: -4, max: 1 }).map((n) => (n < 0 ? -1 : n)),
              poisonAt: fc.integer({ min: -3, max: 1 }).map((n) => (n < 0 ? -1 : n)),
            }),
            { minLength: 1, maxLength: 4 },
          ),
          { minLength: 1, maxLength: 6 },
        ),
        fc.integer({ min: 1, max: 3 }),
        async (s, chunkPlans, maxCount) => {
          const plans = new Map<string, Plan>();
          const chunksOfKey = new Map<string, { index: number; ids: string[] }[]>();
          const chunks: SourceChunk[] = chunkPlans.map((chunkPlan, ci) => {
            const key = `k${chunkPlan[0]!.key}`;
            const msgs = chunkPlan.map((plan, mi) => {
              const id = `c${ci}m${mi}`;
              plans.set(id, plan);
              return createMessage(id, plan, {}, 10);
            });
            const list = chunksOfKey.get(key) ?? [];
            list.push({ index: ci, ids: msgs.map((m) => m.id) });
            chunksOfKey.set(key, list);
            return { messages: msgs, checkpoint: { key, position: { chunk: ci } } };
          });
          const delivered = [new Set<string>(), new Set<string>()];
          const deadLettered = new Set<string>();
          const isAcked = (id: string) =>
            [0, 1].every((i) => delivered[i]!.has(id) || deadLettered.has(`s${i}|${id}`));
          const violations: string[] = [];
          const store: CheckpointStore = {
            load: async () => undefined,
            loadAll: async () => new Map(),
            commit: async (key, position) => {
              const upTo = (position as { chunk: number }).chunk;
              for (const chunk of chunksOfKey.get(key)!) {
                if (chunk.index > upTo) break;
                for (const id of chunk.ids) if (!isAcked(id)) violations.push(`${key}@${upTo} passed ${id}`);
              }
            },
          };
          const sink = (index: number): Sink => ({
            type: "scheduled",
            write: s.scheduleFunction(async function write(batch: readonly Message[], _ctx: WriteContext) {
              const of = batch.map((m) => plans.get(m.id)!);
              if (of.some((p) => p.downAt === index)) throw new RetryableError("503");
              const failed = of.flatMap((p, i) =>
                p.poisonAt === index ? [{ index: i, error: new Error("422") }] : [],
              );
              batch.forEach((m, i) => {
                if (of[i]!.poisonAt !== index) delivered[index]!.add(m.id);
              });
              return failed.length > 0 ? { failed } : undefined;
            }),
          });
          const deadLetter: Sink = {
            type: "dead",
            write: async (batch: readonly Message[]) => {
              for (const m of batch) {
                const r = m.value as DeadLetterRecord;
                deadLettered.add(`${r.component}|${r.message.id}`);
              }
            },
          };
          const pipeline = new Pipeline({
            source: {
              type: "chunks",
              async *read() {
                yield* chunks;
              },
            },
            sinks: [0, 1].map((i) => ({
              id: `s${i}`,
              sink: sink(i),
              batch: { maxCount, lingerMs: 0 },
              retry: { maxAttempts: 2, initialDelayMs: 0, maxDelayMs: 0 },
              concurrency: 2,
            })),
            deadLetter,
            checkpointStore: store,
            checkpoint: { flushIntervalMs: 0 },
            budget: { maxMessages: 5, maxBytes: 1_000 },
          });
          await pipeline.open();
          const run = pipeline.runCycle();
          await s.waitFor(run);
          const report = await run;
          await pipeline.close();
          expect(violations).toEqual([]);
          expect(report.deadLettered).toBe(deadLettered.size);
          const leftBy = [0, 1].map(
            (i) =>
              report.received -
              delivered[i]!.size -
              [...deadLettered].filter((d) => d.startsWith(`s${i}|`)).length,
          );
          expect(report.undelivered).toEqual({ s0: leftBy[0], s1: leftBy[1] });
          for (const [id] of plans) {
            // Nothing was dead-lettered for an outage: a dead letter always names poison.
            if (deadLettered.has(`s0|${id}`)) expect(plans.get(id)!.poisonAt).toBe(0);
            if (deadLettered.has(`s1|${id}`)) expect(plans.get(id)!.poisonAt).toBe(1);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
