import type { CheckpointView } from "@pipekit/core/advanced";
import { MemoryCheckpointStore } from "@pipekit/core/builtins";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketKey, DeliveredIds, IDS_PER_PART } from "../src/checkpoint/delivered-ids.js";
import { hashId } from "../src/checkpoint/id-hash.js";
import { IdHashSet } from "../src/checkpoint/id-hash-set.js";
import { recordingLogger } from "./helpers.js";

const MINUTE = 60_000;
const view = (store: MemoryCheckpointStore): CheckpointView => ({
  get: (key) => store.load(key),
  all: () => store.loadAll(),
});
const options = (over: Partial<ConstructorParameters<typeof DeliveredIds>[0]> = {}) => ({
  table: "c.s.t",
  maxBytes: 64 * 2 ** 20,
  writer: "w1",
  logger: recordingLogger(),
  ...over,
});

/** Flushes a position the way the engine does: its writes go to the store, then durable(). */
async function flush(store: MemoryCheckpointStore, state: DeliveredIds, scannedUntil: number) {
  const writes = state.position(scannedUntil).checkpointWrites();
  await store.commitMany(writes.entries);
  writes.durable?.();
  return writes.entries;
}

describe("IdHashSet", () => {
  it("holds a million hashes in under 24 bytes each and finds every one, and no other", () => {
    const set = new IdHashSet();
    const h = { hi: 0, lo: 0 };
    let added = 0;
    for (let i = 0; i < 1_000_000; i++) {
      hashId(`req-${i}`, h);
      if (set.add(h.hi, h.lo)) added++;
    }
    expect(added).toBe(1_000_000); // no two of a million ids share a hash
    expect(set.size).toBe(1_000_000);
    expect(set.byteSize / set.size).toBeLessThan(24);
    let found = 0;
    for (let i = 0; i < 1_000_000; i += 97) if (set.has(...pair(`req-${i}`))) found++;
    expect(found).toBe(Math.ceil(1_000_000 / 97));
    let strangers = 0;
    for (let i = 0; i < 100_000; i++) if (set.has(...pair(`other-${i}`))) strangers++;
    expect(strangers).toBe(0);
  });

  it("splits into parts by the hash's top bits and reads them back", () => {
    const set = new IdHashSet();
    for (let i = 0; i < 5_000; i++) set.add(...pair(`id-${i}`));
    const back = new IdHashSet();
    let bytes = 0;
    for (let part = 0; part < 4; part++) {
      const encoded = set.encodePart(2, part);
      bytes += encoded.length;
      expect(back.addEncoded(encoded)).toBe(true);
    }
    expect(bytes).toBe(5_000 * 8);
    expect(back.size).toBe(5_000);
    expect(back.addEncoded(Buffer.alloc(7))).toBe(false);
  });
});

function pair(id: string): [number, number] {
  const h = hashId(id);
  return [h.hi, h.lo];
}

describe("DeliveredIds", () => {
  it("keeps read ids pending until their position is flushed, then stores them, and a new instance knows them", async () => {
    const store = new MemoryCheckpointStore();
    const state = await DeliveredIds.load(view(store), options());
    state.beginCycle();
    expect(state.isDelivered("a", 1_000)).toBe(false);
    state.record("a", 1_000);
    state.record("b", 2 * MINUTE + 5);
    // Read this cycle: not sent again within it, but nothing is stored until acknowledged.
    expect(state.isDelivered("a", 1_000)).toBe(true);
    expect(store.positions.size).toBe(0);
    const entries = await flush(store, state, 3 * MINUTE);
    expect([...entries.keys()].sort()).toEqual([
      "c.s.t",
      bucketKey("c.s.t", 0, 0),
      bucketKey("c.s.t", 2 * MINUTE, 0),
    ]);

    const again = await DeliveredIds.load(view(store), options({ writer: "w2" }));
    again.beginCycle();
    expect(again.isDelivered("a", 1_000)).toBe(true);
    expect(again.isDelivered("b", 2 * MINUTE + 5)).toBe(true);
    expect(again.isDelivered("c", 1_500)).toBe(false);
    expect(again.scannedUntil).toBe(3 * MINUTE);
    expect(again.isLate(1_500)).toBe(true); // older than the last window's end: it landed late
    expect(again.isLate(3 * MINUTE + 1)).toBe(false);
  });

  it("forgets at the next cycle what was read but never acknowledged, so it is read again", async () => {
    const store = new MemoryCheckpointStore();
    const state = await DeliveredIds.load(view(store), options());
    state.beginCycle();
    state.record("acked", 1_000);
    await flush(store, state, 2_000);
    state.record("never-acked", 1_500);
    state.position(3_000); // handed out, never flushed (its message is still undelivered)
    state.beginCycle();
    expect(state.isDelivered("acked", 1_000)).toBe(true);
    expect(state.isDelivered("never-acked", 1_500)).toBe(false);
    expect(state.scannedUntil).toBe(2_000);
  });

  it("writes only the buckets that changed, and deletes pruned buckets from the store", async () => {
    const store = new MemoryCheckpointStore();
    const state = await DeliveredIds.load(view(store), options());
    state.beginCycle();
    for (let m = 0; m < 10; m++) state.record(`id-${m}`, m * MINUTE + 1);
    await flush(store, state, 10 * MINUTE);
    state.record("late-in-minute-3", 3 * MINUTE + 7);
    const entries = await flush(store, state, 10 * MINUTE);
    expect([...entries.keys()].sort()).toEqual(["c.s.t", bucketKey("c.s.t", 3 * MINUTE, 0)]);

    state.beginCycle();
    state.prune(5 * MINUTE);
    const pruned = await flush(store, state, 11 * MINUTE);
    for (let m = 0; m < 5; m++) expect(pruned.get(bucketKey("c.s.t", m * MINUTE, 0))).toBeUndefined();
    expect([...pruned.keys()].filter((k) => k.includes("#"))).toHaveLength(5);
    expect([...store.positions.keys()].filter((k) => k.includes("#"))).toHaveLength(5);
    expect(state.isDelivered("id-7", 7 * MINUTE + 1)).toBe(true);
  });

  it("holds 1,000,000 ids of one window in under 32 MB and stores each part under Kafka's record limit", async () => {
    const store = new MemoryCheckpointStore();
    const state = await DeliveredIds.load(view(store), options());
    state.beginCycle();
    for (let i = 0; i < 1_000_000; i++) state.record(`req-${i}`, Math.floor((i / 1_000_000) * 60) * MINUTE);
    const entries = await flush(store, state, 60 * MINUTE);
    expect(state.stats.ids).toBe(1_000_000);
    expect(state.stats.bytes).toBeLessThan(32 * 2 ** 20);
    for (const [key, value] of entries) {
      if (key.includes("#")) expect((value as string).length).toBeLessThan(700_000);
    }
    const again = await DeliveredIds.load(view(store), options({ writer: "w2" }));
    again.beginCycle();
    for (let i = 0; i < 1_000_000; i += 1_009) {
      expect(again.isDelivered(`req-${i}`, Math.floor((i / 1_000_000) * 60) * MINUTE)).toBe(true);
    }
  });

  it("splits a bucket bigger than one part and shrinks nothing it stored", async () => {
    const store = new MemoryCheckpointStore();
    const state = await DeliveredIds.load(view(store), options());
    state.beginCycle();
    for (let i = 0; i < IDS_PER_PART * 3; i++) state.record(`x-${i}`, 5);
    const entries = await flush(store, state, 10);
    const parts = [...entries.keys()].filter((k) => k.includes("#"));
    expect(parts).toHaveLength(4);
    const again = await DeliveredIds.load(view(store), options({ writer: "w2" }));
    expect(again.stats.ids).toBe(IDS_PER_PART * 3);
  });

  it("stays under its byte bound by dropping the oldest buckets, raising a floor and saying so", async () => {
    const logger = recordingLogger();
    const floors: number[] = [];
    const store = new MemoryCheckpointStore();
    const state = await DeliveredIds.load(
      view(store),
      options({ maxBytes: 256 * 1024, logger, onFloorRaised: (f) => floors.push(f) }),
    );
    state.beginCycle();
    for (let i = 0; i < 40_000; i++) state.record(`id-${i}`, Math.floor(i / 4_000) * MINUTE);
    await flush(store, state, 10 * MINUTE);
    expect(state.stats.bytes).toBeLessThanOrEqual(256 * 1024);
    expect(state.floor).not.toBeNull();
    expect(floors.length).toBeGreaterThan(0);
    // Below the floor everything counts as delivered (never re-sent); above it ids are still tracked.
    expect(state.isDelivered("never-seen", state.floor! - 1)).toBe(true);
    expect(state.isDelivered("id-39999", 9 * MINUTE)).toBe(true);
    expect(state.isDelivered("unknown", 9 * MINUTE)).toBe(false);
    const warnings = logger.lines.filter((l) => l.level === "warn");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/byte bound/);
    expect(warnings[0]!.obj).toMatchObject({ table: "c.s.t", maxBytes: 256 * 1024 });
  });

  it("reads the earlier format (every id in the position) and writes it in the new one", async () => {
    const store = new MemoryCheckpointStore([
      [
        "c.s.t",
        {
          v: 1,
          scannedUntil: 9_000,
          floor: null,
          delivered: [
            ["a", 1_000],
            ["b", 8_000],
          ],
        },
      ],
    ]);
    const state = await DeliveredIds.load(view(store), options());
    state.beginCycle();
    expect(state.isDelivered("a", 1_000)).toBe(true);
    expect(state.scannedUntil).toBe(9_000);
    await flush(store, state, 10_000);
    expect(store.positions.get("c.s.t")).toMatchObject({ v: 2, scannedUntil: 10_000 });
  });

  it("ignores a position it does not understand instead of failing", async () => {
    const logger = recordingLogger();
    const store = new MemoryCheckpointStore([["c.s.t", { offset: 12 }]]);
    const state = await DeliveredIds.load(view(store), options({ logger }));
    expect(state.stats.ids).toBe(0);
    expect(logger.lines.some((l) => l.level === "warn")).toBe(true);
  });

  it("knows when the stored manifest is its own (kept between cycles) and when another writer changed it", async () => {
    const store = new MemoryCheckpointStore();
    const state = await DeliveredIds.load(view(store), options());
    expect(state.isCurrentWith(undefined)).toBe(true);
    state.beginCycle();
    state.record("a", 1);
    await flush(store, state, 2);
    expect(state.isCurrentWith(store.positions.get("c.s.t"))).toBe(true);
    const other = await DeliveredIds.load(view(store), options({ writer: "w2" }));
    other.beginCycle();
    other.record("b", 1);
    await flush(store, other, 3);
    expect(state.isCurrentWith(store.positions.get("c.s.t"))).toBe(false);
  });

  it("never calls delivered what was not flushed, and always what was (any interleaving)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ id: fc.nat(300), minute: fc.nat(20), flushAfter: fc.boolean() }), {
          maxLength: 120,
        }),
        async (rows) => {
          const store = new MemoryCheckpointStore();
          const state = await DeliveredIds.load(view(store), options());
          state.beginCycle();
          const flushed = new Map<string, number>();
          let recorded: [string, number][] = [];
          for (const row of rows) {
            const id = `r${row.id}`;
            const time = row.minute * MINUTE + row.id;
            if (state.isDelivered(id, time)) continue;
            state.record(id, time);
            recorded.push([id, time]);
            if (row.flushAfter) {
              await flush(store, state, time);
              for (const [i, t] of recorded) flushed.set(i, t);
              recorded = [];
            }
          }
          state.position(0); // the rest is never acknowledged
          const next = await DeliveredIds.load(view(store), options({ writer: "w2" }));
          next.beginCycle();
          for (const [id, time] of flushed) expect(next.isDelivered(id, time)).toBe(true);
          for (const [id, time] of recorded)
            if (!flushed.has(id)) expect(next.isDelivered(id, time)).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});
