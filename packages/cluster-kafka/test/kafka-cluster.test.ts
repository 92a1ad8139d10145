import { metrics, trace } from "@opentelemetry/api";
import type { Source, SourceChunk, SourceContext } from "@pipekit/core";
import { MemoryCheckpointStore } from "@pipekit/core/builtins";
import { afterEach, describe, expect, inject, it } from "vitest";
import { clusterSource, KafkaCluster, shardOf } from "../src/index.js";
import { recordingLogger, uniqueNames, waitFor } from "./helpers.js";

const bootstrap = inject("kafkaBootstrap");
const KEYS = Array.from({ length: 60 }, (_, i) => `workspace.default.agent_${i}_payload`);

const running: KafkaCluster[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop()));
});

function member(names: ReturnType<typeof uniqueNames>, shards = 6, logger = recordingLogger()): KafkaCluster {
  const cluster = new KafkaCluster(
    { brokers: [bootstrap], ...names, shards, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500 },
    { logger },
  );
  running.push(cluster);
  return cluster;
}

const owned = (cluster: KafkaCluster): string[] => KEYS.filter((k) => cluster.owns(k));

describe("KafkaCluster on a real broker", () => {
  it("splits the shards between members, every key owned exactly once, and moves them when one leaves", async () => {
    const names = uniqueNames("split");
    const a = member(names);
    await a.start();
    expect(a.status().shards).toEqual([0, 1, 2, 3, 4, 5]);
    expect(owned(a)).toEqual(KEYS);
    expect(a.health().ok).toBe(true);

    const b = member(names);
    await b.start();
    // a rebalances too: wait until both hold a stable share.
    await waitFor(
      () =>
        a.status().state === "stable" &&
        b.status().state === "stable" &&
        a.status().shards.length + b.status().shards.length === 6,
      "a stable two-member assignment",
    );
    expect(a.status().shards.length).toBe(3);
    const fromA = owned(a);
    const fromB = owned(b);
    expect(fromA.filter((k) => fromB.includes(k))).toEqual([]);
    expect([...fromA, ...fromB].sort()).toEqual([...KEYS].sort());
    for (const k of fromA) expect(a.status().shards).toContain(shardOf(k, 6));

    // b commits a position for one of its keys, then leaves: a takes over and resumes from it.
    const key = fromB[0]!;
    await b.checkpointStore.commit(key, { v: 1, at: "b" });
    await b.stop();
    await waitFor(
      () => a.status().state === "stable" && a.status().shards.length === 6,
      "a to own every shard",
    );
    expect(owned(a)).toEqual(KEYS);
    expect(await a.checkpointStore.load(key)).toEqual({ v: 1, at: "b" });
  });

  it("balances shards by the tables their checkpoints show, not by shard count", async () => {
    const names = uniqueNames("weights");
    const seed = member(names);
    await seed.start();
    // Checkpoints for 20 keys, all in shards 0 and 2: those two shards hold all the known work.
    const heavy = KEYS.filter((k) => shardOf(k, 6) === 0 || shardOf(k, 6) === 2).slice(0, 20);
    for (const key of heavy) await seed.checkpointStore.commit(key, { v: 1 });
    await seed.stop();

    const a = member(names);
    const b = member(names);
    await Promise.all([a.start(), b.start()]);
    await waitFor(
      () =>
        a.status().state === "stable" &&
        b.status().state === "stable" &&
        a.status().shards.length + b.status().shards.length === 6,
      "a stable two-member assignment",
    );
    // Round robin would give both even shards to the same member; the weighted plan splits them.
    const heavyOf = (c: KafkaCluster) => c.status().shards.filter((s) => s === 0 || s === 2).length;
    expect([heavyOf(a), heavyOf(b)]).toEqual([1, 1]);
  });

  it("uses an existing coordination topic's partition count as the shard count", async () => {
    const names = uniqueNames("count");
    const first = member(names, 4);
    await first.start();
    await first.stop();
    const logger = recordingLogger();
    const second = member(names, 9, logger);
    await second.start();
    expect(second.status().shardCount).toBe(4);
    expect(logger.entries.some((e) => e.level === "warn" && /partition count/.test(e.msg ?? ""))).toBe(true);
  });

  it("clusterSource waits for the assignment, reads owned keys only and reports them per cycle", async () => {
    const names = uniqueNames("source");
    const logger = recordingLogger();
    const cluster = member(names, 6, logger);
    await cluster.start();
    // A toy source that asks the filter, as the Databricks source does.
    const inner: Source<string> = {
      type: "toy",
      async *read(): AsyncGenerator<SourceChunk<string>> {
        for (const key of KEYS.slice(0, 10)) {
          if (!cluster.partitionFilter(key)) continue;
          yield { messages: [], checkpoint: { key, position: 1 } };
        }
      },
    };
    const source = clusterSource(inner, cluster);
    const store = new MemoryCheckpointStore();
    const ctx: SourceContext = {
      componentId: "toy",
      logger,
      meter: metrics.getMeter("t"),
      tracer: trace.getTracer("t"),
      signal: new AbortController().signal,
      checkpoints: { get: (k) => store.load(k), all: () => store.loadAll() },
    };
    const keys: string[] = [];
    for await (const chunk of source.read(ctx)) keys.push(chunk.checkpoint!.key);
    expect(keys).toEqual(KEYS.slice(0, 10));
    expect(cluster.status().lastCycleTables).toEqual([...KEYS.slice(0, 10)].sort());
    const report = logger.entries.find((e) => e.msg === "cluster cycle");
    expect(report?.fields).toMatchObject({ tableCount: 10, shards: [0, 1, 2, 3, 4, 5] });
  });

  it("refuses to start a cycle once stopped, and reports not ready", async () => {
    const cluster = member(uniqueNames("stopped"));
    await cluster.start();
    await cluster.stop();
    await expect(cluster.beginCycle()).rejects.toThrow(/stopped/);
    expect(cluster.health().ok).toBe(false);
  });
});
