import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DeadLetterRecord } from "../src/advanced.js";
import { FileCheckpointStore, functionTransform, MemorySink } from "../src/builtins.js";
import {
  type CheckpointStore,
  createMessage,
  deriveMessage,
  type Message,
  Pipeline,
  PoisonError,
  RetryableError,
  type Sink,
  type SourceChunk,
  type WriteContext,
} from "../src/index.js";
import { ArraySource, chunked, messages } from "./helpers.js";

describe("FileCheckpointStore", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "pipekit-ckpt-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps every key in one log file, readable by a new instance: the last line of a key wins", async () => {
    const path = join(dir, "state", "checkpoints.json");
    const store = new FileCheckpointStore(path);
    expect(await store.load("a")).toBeUndefined();
    await Promise.all([
      store.commit("a", { next: 1 }),
      store.commit("b", ["x"]),
      store.commit("a", { next: 2 }),
      store.commitMany(
        new Map<string, unknown>([
          ["c", 1],
          ["b", undefined],
        ]),
      ),
    ]);
    await store.close();
    const lines = (await readFile(path, "utf8")).trimEnd().split("\n");
    expect(JSON.parse(lines[0]!)).toEqual({ pipekit: "checkpoints", v: 2 });
    // Appends only: one line per key written (the first commit writes the file whole).
    expect(lines.slice(1).map((l) => JSON.parse(l))).toEqual([
      { k: "a", v: { next: 1 } },
      { k: "b", v: ["x"] },
      { k: "a", v: { next: 2 } },
      { k: "c", v: 1 },
      { k: "b", d: 1 },
    ]);
    expect(await readdir(join(dir, "state"))).toEqual(["checkpoints.json"]); // no temp files left
    const reopened = new FileCheckpointStore(path);
    expect(await reopened.loadAll()).toEqual(
      new Map<string, unknown>([
        ["a", { next: 2 }],
        ["c", 1],
      ]),
    );
  });

  it("ignores a torn last line (a crash mid-append) and cuts it off before appending", async () => {
    const path = join(dir, "checkpoints.json");
    const store = new FileCheckpointStore(path);
    await store.commit("a", 1);
    await store.commit("a", 2);
    await store.close();
    const whole = await readFile(path, "utf8");
    await writeFile(path, `${whole}{"k":"a","v":3`); // the third commit never completed
    const reopened = new FileCheckpointStore(path);
    expect(await reopened.load("a")).toBe(2);
    await reopened.commit("b", 1);
    await reopened.close();
    expect(await readFile(path, "utf8")).toBe(`${whole}{"k":"b","v":1}\n`);
    expect(await new FileCheckpointStore(path).loadAll()).toEqual(
      new Map<string, unknown>([
        ["a", 2],
        ["b", 1],
      ]),
    );
  });

  it("compacts once superseded lines outweigh the live ones, keeping every live key", async () => {
    const path = join(dir, "checkpoints.json");
    const store = new FileCheckpointStore(path, { compactSlackBytes: 1_000 });
    const value = "x".repeat(100);
    for (let i = 0; i < 200; i++)
      await store.commitMany(
        new Map<string, unknown>([
          ["hot", `${value}${i}`],
          [`k${i % 3}`, i],
        ]),
      );
    // Live: 4 lines; 200 commits of ~130 bytes were written, so the file must have been rewritten.
    expect(store.sizes.fileBytes).toBeLessThan(store.sizes.liveBytes + 1_000 + 200);
    await store.close();
    const reopened = new FileCheckpointStore(path);
    expect(await reopened.loadAll()).toEqual(
      new Map<string, unknown>([
        ["hot", `${value}199`],
        ["k0", 198],
        ["k1", 199],
        ["k2", 197],
      ]),
    );
  });

  it("reads the earlier one-object format and rewrites it in the log format on the first commit", async () => {
    const path = join(dir, "checkpoints.json");
    await writeFile(path, JSON.stringify({ a: { next: 5 }, b: 1 }, null, 2));
    const store = new FileCheckpointStore(path);
    expect(await store.load("a")).toEqual({ next: 5 });
    await store.commit("b", 2);
    await store.close();
    expect((await readFile(path, "utf8")).split("\n")[0]).toBe('{"pipekit":"checkpoints","v":2}');
    expect(await new FileCheckpointStore(path).loadAll()).toEqual(
      new Map<string, unknown>([
        ["a", { next: 5 }],
        ["b", 2],
      ]),
    );
  });

  it("names the file and line when a line in the middle is damaged", async () => {
    const path = join(dir, "checkpoints.json");
    await writeFile(path, '{"pipekit":"checkpoints","v":2}\n{"k":"a","v":1}\nnot json\n{"k":"a","v":2}\n');
    await expect(new FileCheckpointStore(path).load("a")).rejects.toThrow(
      `Checkpoint file ${path} line 3 is not valid JSON`,
    );
  });

  it("names the checkpoint file (not its temp file) when a commit cannot be written", async () => {
    const folder = join(dir, "state");
    const path = join(folder, "checkpoints.json");
    const store = new FileCheckpointStore(path);
    await store.commit("a", 1);
    // The folder turns into a file: the next write fails inside the store.
    await rm(folder, { recursive: true });
    await writeFile(folder, "");
    await expect(store.commit("a", 2)).rejects.toThrow(`Cannot write checkpoint file ${path}: `);
  });

  it("names the file when it is not valid JSON", async () => {
    const path = join(dir, "bad.json");
    await writeFile(path, "{ not json");
    await expect(new FileCheckpointStore(path).load("a")).rejects.toThrow(
      `Checkpoint file ${path} is not valid JSON`,
    );
  });
});

/** What a generated message asks the sinks and the transform to do with it. */
interface Plan {
  readonly key: number;
  readonly fanout: number; // 0..2 children
  readonly transformThrows: boolean;
  readonly poisonAt: number; // sink index that rejects it as poison, -1 none
  readonly retryOnce: boolean;
  readonly async: boolean; // the transform answers with a promise
}

const planArb: fc.Arbitrary<Plan> = fc.record({
  key: fc.integer({ min: 0, max: 1 }),
  fanout: fc.integer({ min: 0, max: 2 }),
  transformThrows: fc.boolean(),
  poisonAt: fc.integer({ min: -1, max: 1 }),
  retryOnce: fc.boolean(),
  async: fc.boolean(),
});

describe("checkpoint commit failures", () => {
  it("fail the cycle even when the last commit fails after everything was delivered", async () => {
    const store: CheckpointStore = {
      load: async () => undefined,
      loadAll: async () => new Map(),
      // A slow disk: the write fails only after the last message was acknowledged.
      commit: () =>
        new Promise((_, reject) => setImmediate(() => reject(new Error("EPERM: read-only folder")))),
    };
    const sink = new MemorySink();
    const pipeline = new Pipeline({
      source: new ArraySource(chunked(messages(3), 3)),
      sinks: [{ id: "out", sink, batch: { maxCount: 10, lingerMs: 0 } }],
      checkpointStore: store,
    });
    await pipeline.open();
    await expect(pipeline.runCycle()).rejects.toThrow(
      "Checkpoint store failed to commit: EPERM: read-only folder",
    );
    expect(sink.values).toHaveLength(3); // delivered at least once; the position stays uncommitted
    await pipeline.close();
  });
});

describe("checkpoint ordering (property)", () => {
  it("never commits a position past a message not yet acknowledged by every sink", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.array(planArb, { minLength: 0, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 3 }),
        async (s, chunkPlans, maxCount, ordered, checkpointEvery) => {
          // Build chunks: chunk i of key k checkpoints {chunk: i}, or (like a source that checkpoints
          // every N chunks) only names its key as `partition`; a key's last chunk always checkpoints.
          const chunks: SourceChunk[] = [];
          const chunksOfKey = new Map<string, { index: number; ids: string[] }[]>();
          const plans = new Map<string, Plan>();
          chunkPlans.forEach((chunkPlan, ci) => {
            const key = `k${(chunkPlan[0]?.key ?? ci) % 2}`;
            const msgs = chunkPlan.map((plan, mi) => {
              const id = `c${ci}m${mi}`;
              plans.set(id, plan);
              return createMessage(id, plan, {}, 10);
            });
            const lastOfKey = !chunkPlans.some(
              (p, later) => later > ci && `k${(p[0]?.key ?? later) % 2}` === key,
            );
            chunks.push(
              lastOfKey || ci % checkpointEvery === 0
                ? { messages: msgs, checkpoint: { key, position: { chunk: ci } } }
                : { messages: msgs, partition: key },
            );
            const list = chunksOfKey.get(key) ?? [];
            list.push({ index: ci, ids: msgs.map((m) => m.id) });
            chunksOfKey.set(key, list);
          });

          // Ground truth of acknowledgement, recorded when a write resolves (before the engine sees it).
          const deliveredBy = [new Set<string>(), new Set<string>()];
          const deadLettered = new Set<string>(); // "<component>|<message id>"
          const parentOf = (id: string) => id.split("#")[0]!;
          const isAcked = (id: string): boolean => {
            const plan = plans.get(id)!;
            if (plan.transformThrows) return deadLettered.has(`transforms[0]|${id}`);
            for (let c = 0; c < plan.fanout; c++) {
              const child = `${id}#${c}`;
              for (let sink = 0; sink < 2; sink++) {
                if (!deliveredBy[sink]!.has(child) && !deadLettered.has(`s${sink}|${child}`)) return false;
              }
            }
            return true;
          };

          const violations: string[] = [];
          const lastCommitted = new Map<string, number>();
          const store: CheckpointStore = {
            load: async () => undefined,
            loadAll: async () => new Map(),
            commit: async (key, position) => {
              const upTo = (position as { chunk: number }).chunk;
              const previous = lastCommitted.get(key) ?? -1;
              if (upTo < previous) violations.push(`${key} went back from ${previous} to ${upTo}`);
              lastCommitted.set(key, upTo);
              for (const chunk of chunksOfKey.get(key)!) {
                if (chunk.index > upTo) break;
                for (const id of chunk.ids) if (!isAcked(id)) violations.push(`${key}@${upTo} passed ${id}`);
              }
            },
          };

          const sink = (index: number): Sink => ({
            type: "scheduled",
            write: s.scheduleFunction(async function write(batch: readonly Message[], ctx: WriteContext) {
              const plansOf = batch.map((m) => plans.get(parentOf(m.id))!);
              if (plansOf.some((p) => p.poisonAt === index)) throw new PoisonError("poison");
              if (ctx.attempt === 1 && plansOf.some((p) => p.retryOnce)) throw new RetryableError("flaky");
              for (const m of batch) deliveredBy[index]!.add(m.id);
            }),
          });
          const deadLetter: Sink = {
            type: "dead",
            write: s.scheduleFunction(async function deadLetterWrite(batch: readonly Message[]) {
              for (const m of batch) {
                const record = m.value as DeadLetterRecord;
                deadLettered.add(`${record.component}|${record.message.id}`);
              }
            }),
          };

          const pipeline = new Pipeline({
            source: new ArraySource(chunks),
            transforms: [
              functionTransform<Plan>((m) => {
                if (m.value.transformThrows) throw new Error("transform failed");
                return Array.from({ length: m.value.fanout }, (_, c) =>
                  deriveMessage(m, m.value, { id: `${m.id}#${c}` }),
                );
              }),
            ],
            sinks: [0, 1].map((i) => ({
              id: `s${i}`,
              sink: sink(i),
              batch: { maxCount, lingerMs: 0 },
              retry: { initialDelayMs: 0, maxDelayMs: 0 },
              concurrency: 2,
            })),
            deadLetter,
            checkpointStore: store,
            budget: { maxMessages: 5, maxBytes: 1_000 },
            transformConcurrency: 2,
            ordered,
          });
          await pipeline.open();
          const run = pipeline.runCycle();
          await s.waitFor(run);
          const report = await run;
          await pipeline.close();

          expect(violations).toEqual([]);
          // Everything completed, so each key ends at its last chunk.
          for (const [key, list] of chunksOfKey) expect(lastCommitted.get(key)).toBe(list.at(-1)!.index);
          expect(report.received).toBe(plans.size);
        },
      ),
      { numRuns: 150 },
    );
  });
});
