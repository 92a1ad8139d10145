/**
 * Scale-out on Kafka: one polling cycle over the same emulated workspace with 1, 2 and 3 pipeline
 * instances sharing the tables through a Kafka consumer group (@pipekit/cluster-kafka), checkpoints
 * in a compacted topic. Each SQL statement is held RUNNING for SQL_LATENCY_MS by the emulator, so
 * a cycle is I/O-bound like against a real warehouse, where one instance's table concurrency is
 * the limit. Figures: the cycle time (all instances started together, until the last finishes) and
 * the speed-ups over one instance measured in the same run.
 *
 * Real parts: a Kafka broker (testkit-kafka), the workspace emulator in a child process, the real
 * Databricks source and SQL driver, core's Pipeline. The instances run in this process (each with
 * its own Kafka clients and SQL session): the work is waiting, not computing.
 */
import { clusterSource, KafkaCluster } from "@pipekit/cluster-kafka";
import { Pipeline, silentLogger } from "@pipekit/core";
import { NullSink } from "@pipekit/core/builtins";
import { createDatabricksSource } from "@pipekit/source-databricks";
import { createTrustingFetch } from "@pipekit/testkit-databricks";
import { startKafkaBroker } from "@pipekit/testkit-kafka";
import { type EmulatorInfo, startEmulatorProcess } from "./support/databricks-emulator.js";

const AGENTS = 40; // per task type: 121 payload tables
const SQL_LATENCY_MS = 250;
const SHARDS = 12;
const MEASURED_CYCLES = 2;

interface Instance {
  readonly cluster: KafkaCluster;
  readonly pipeline: Pipeline;
}

export async function run(): Promise<Record<string, number>> {
  const broker = await startKafkaBroker();
  const emulator = await startEmulatorProcess({ seed: 21, agents: AGENTS, rowsPerTable: 5 });
  try {
    await setSqlLatency(emulator.info, SQL_LATENCY_MS);
    // One group and one checkpoint topic for all rounds, as a cluster that grows from 1 to 3
    // instances: later rounds know each shard's tables from the checkpoints and balance by them.
    const stamp = Date.now();
    const names = {
      group: `bench-scale-${stamp}`,
      coordinationTopic: `bench-scale-${stamp}.shards`,
      checkpointTopic: `bench-scale-${stamp}.checkpoints`,
    };
    const cycleMs: number[] = [];
    for (const count of [1, 2, 3]) {
      cycleMs.push(await measure(count, names, broker.bootstrap, emulator.info));
      process.stderr.write(`[bench] scale: ${count} instance(s): ${cycleMs.at(-1)} ms per cycle\n`);
    }
    const [one, two, three] = cycleMs as [number, number, number];
    return {
      scaleCycleMs1: one,
      scaleCycleMs2: two,
      scaleCycleMs3: three,
      scaleSpeedup2: round(one / two),
      scaleSpeedup3: round(one / three),
    };
  } finally {
    await emulator.close();
    await broker.stop();
  }
}

/**
 * Best of MEASURED_CYCLES cycles (after a warm-up) of `count` instances started together. Every
 * cycle runs the same queries (one per table, each held SQL_LATENCY_MS) whatever was delivered before.
 */
async function measure(
  count: number,
  names: { group: string; coordinationTopic: string; checkpointTopic: string },
  bootstrap: string,
  ws: EmulatorInfo,
): Promise<number> {
  const instances: Instance[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const cluster = new KafkaCluster({
        brokers: [bootstrap],
        ...names,
        shards: SHARDS,
        heartbeatIntervalMs: 500,
      });
      const source = createDatabricksSource(
        {
          host: ws.url,
          clientId: ws.clientId,
          clientSecret: ws.clientSecret,
          caCert: ws.caPem,
        },
        { tableFilter: cluster.partitionFilter },
      );
      const pipeline = new Pipeline({
        id: `scale-${i}`,
        source: clusterSource(source, cluster),
        sinks: [{ id: "null", sink: new NullSink() }],
        checkpointStore: cluster.checkpointStore,
        logger: silentLogger,
      });
      instances.push({ cluster, pipeline });
    }
    await Promise.all(instances.map((i) => i.cluster.start()));
    await waitForSplit(instances);
    await Promise.all(instances.map((i) => i.pipeline.open()));
    await cycleAll(instances); // warm-up: tokens, SQL sessions, first delivery
    let best = Number.POSITIVE_INFINITY;
    for (let c = 0; c < MEASURED_CYCLES; c++) best = Math.min(best, await cycleAll(instances));
    const read = instances.reduce((n, i) => n + i.cluster.status().lastCycleTables.length, 0);
    if (read !== ws.tables.length) {
      throw new Error(`${count} instance(s) read ${read} tables in a cycle, expected ${ws.tables.length}`);
    }
    return best;
  } finally {
    await Promise.all(instances.map((i) => i.pipeline.close({ timeoutMs: 10_000 })));
    await Promise.all(instances.map((i) => i.cluster.stop()));
  }
}

/** One cycle on every instance at once; wall time until the last one finishes. */
async function cycleAll(instances: readonly Instance[]): Promise<number> {
  const started = performance.now();
  await Promise.all(instances.map((i) => i.pipeline.runCycle()));
  return Math.round(performance.now() - started);
}

/** Until every instance is stable and together they own every shard exactly once. */
async function waitForSplit(instances: readonly Instance[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const statuses = instances.map((i) => i.cluster.status());
    const shards = statuses.flatMap((s) => s.shards);
    if (
      statuses.every((s) => s.state === "stable") &&
      shards.length === SHARDS &&
      new Set(shards).size === SHARDS
    ) {
      return;
    }
    if (Date.now() > deadline)
      throw new Error(`no stable split of ${SHARDS} shards: ${JSON.stringify(statuses)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function setSqlLatency(ws: EmulatorInfo, ms: number): Promise<void> {
  const fetch = createTrustingFetch(ws.caPem);
  try {
    const response = await fetch(`${ws.url}/__emulator/warehouse`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sql_latency_ms: ms }),
    });
    if (!response.ok) throw new Error(`setting the SQL latency failed: HTTP ${response.status}`);
  } finally {
    await fetch.close();
  }
}

const round = (n: number): number => Math.round(n * 100) / 100;
