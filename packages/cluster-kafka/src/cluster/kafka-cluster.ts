import { randomUUID } from "node:crypto";
import type { Meter } from "@opentelemetry/api";
import { type Logger, parseConfig, RetryableError, silentLogger } from "@pipekit/core";
import { checkpointKeyOwner, type HealthStatus } from "@pipekit/core/advanced";
import { KAFKA_SECRET_FIELDS } from "@pipekit/kafka-connection";
import type { Admin, Kafka } from "kafkajs";
import { KafkaCheckpointStore } from "../checkpoint/kafka-checkpoint-store.js";
import {
  type ClusterOptions,
  type ClusterOptionsInput,
  clusterOptionsSchema,
} from "../config/cluster-options.js";
import { createClusterKafka } from "../kafka/kafka-client.js";
import { ShardMembership } from "../membership/shard-membership.js";
import { shardOf } from "../sharding/shard-of.js";
import { ensureTopics } from "../topics/ensure-topics.js";

export type ClusterState = "starting" | "rebalancing" | "catching-up" | "stable" | "stopped" | "failed";

/** What an instance owns and is doing, for logs, `/readyz` and tests. */
export interface ClusterStatus {
  /** This process's identity (also the writer id stored with its checkpoints). */
  readonly instance: string;
  /** Its member id in the consumer group (after the first join). */
  readonly member: string | undefined;
  readonly state: ClusterState;
  /** Shards owned and ready to read (assigned, and their checkpoints caught up). */
  readonly shards: readonly number[];
  readonly shardCount: number;
  /** Assignments received since start (each rebalance this member took part in adds one). */
  readonly assignments: number;
  /** Partitions (tables) read in the last finished cycle. */
  readonly lastCycleTables: readonly string[];
}

export interface KafkaClusterDeps {
  readonly logger?: Logger;
  /** Gauges for owned shards and tables, a counter of rebalances. */
  readonly meter?: Meter;
  /** Defaults to host-pid-random, unique per process. */
  readonly instanceId?: string;
}

/**
 * Scale-out the Kafka Connect way. Instances of one pipeline join a consumer group on a
 * coordination topic whose partitions are shards of the partition keys (tables); each reads only
 * the keys whose shard (`shardOf(key, shards)`) the group assigned it. Checkpoints live in a
 * compacted topic, so when a member dies or joins and the group rebalances, the new owner of a
 * shard reads the topic to its end and resumes where the last owner committed.
 *
 * Use: `start()`, then give `checkpointStore` to the pipeline, `partitionFilter` to the source
 * (ComponentDeps.partitionFilter), and call `beginCycle()` before / `endCycle()` after each cycle
 * (or wrap the source with `clusterSource`). `stop()` leaves the group.
 */
export class KafkaCluster {
  readonly options: ClusterOptions;
  readonly instanceId: string;
  readonly checkpointStore: KafkaCheckpointStore;
  private readonly kafka: Kafka;
  private readonly logger: Logger;
  private readonly membership: ShardMembership;
  private shardCount: number;
  private state: ClusterState = "starting";
  private memberId: string | undefined;
  private isLeader = false;
  private assigned = new Set<number>();
  private ready = new Set<number>();
  private previousReady: readonly number[] = [];
  private assignments = 0;
  private failure: Error | undefined;
  private readonly listeners = new Set<() => void>();
  private cycleTables = new Set<string>();
  private cycleAssignment = 0;
  private lastCycleTables: readonly string[] = [];
  private started: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;

  constructor(options: ClusterOptionsInput, deps: KafkaClusterDeps = {}) {
    this.options = parseConfig(clusterOptionsSchema, options, "cluster options", [], {
      secretFields: KAFKA_SECRET_FIELDS,
    });
    this.shardCount = this.options.shards;
    this.instanceId = deps.instanceId ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
    this.logger = (deps.logger ?? silentLogger).child({
      cluster: this.options.group,
      instance: this.instanceId,
    });
    this.kafka = createClusterKafka(this.options, this.logger);
    this.checkpointStore = new KafkaCheckpointStore(this.kafka, {
      topic: this.options.checkpointTopic,
      owner: this.instanceId,
      logger: this.logger,
      ownsKey: (key) => this.ready.has(shardOf(key, this.shardCount)),
      readTimeoutMs: this.options.assignmentTimeoutMs,
      groupPrefix: `${this.options.group}.checkpoints`,
    });
    this.membership = new ShardMembership(this.kafka, {
      group: this.options.group,
      topic: this.options.coordinationTopic,
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      heartbeatIntervalMs: this.options.heartbeatIntervalMs,
      rebalanceTimeoutMs: this.options.rebalanceTimeoutMs,
      logger: this.logger,
      shardWeights: () => this.shardWeights(),
      onAssigned: (shards, info) => this.onAssigned(shards, info),
      onRevoked: (reason) => this.onRevoked(reason),
      onFailed: (error) => {
        this.failure = error;
        this.setState("failed");
        this.logger.error({ err: error }, "left the cluster: group membership failed");
      },
    });
    if (deps.meter) this.instrument(deps.meter);
  }

  /** Creates missing topics, reads the checkpoints, joins the group; resolves when shards are ready. */
  start(): Promise<void> {
    this.started ??= (async () => {
      const { options } = this;
      const admin: Admin = this.kafka.admin();
      await admin.connect();
      try {
        const partitions = await ensureTopics(admin, [
          {
            topic: options.coordinationTopic,
            numPartitions: options.shards,
            replicationFactor: options.replicationFactor,
          },
          {
            topic: options.checkpointTopic,
            numPartitions: options.checkpointPartitions,
            replicationFactor: options.replicationFactor,
            configEntries: [
              { name: "cleanup.policy", value: "compact" },
              // A table's position holds its delivered ids: allow large records.
              { name: "max.message.bytes", value: String(16 * 1024 * 1024) },
            ],
          },
        ]);
        const actual = partitions.get(options.coordinationTopic) ?? options.shards;
        if (actual !== options.shards) {
          // Every instance must hash keys to the same shards: the topic is the shared truth.
          this.logger.warn(
            { topic: options.coordinationTopic, configured: options.shards, partitions: actual },
            "coordination topic already exists with another partition count: using its count as the shard count",
          );
        }
        this.shardCount = actual;
      } finally {
        await admin.disconnect().catch(() => {});
      }
      await this.checkpointStore.start();
      await this.membership.start();
      await this.waitUntilStable();
    })();
    return this.started;
  }

  /** Does this instance own `key` right now (its shard assigned and caught up)? */
  owns(key: string): boolean {
    return this.ready.has(shardOf(key, this.shardCount));
  }

  /**
   * For the source (ComponentDeps.partitionFilter): true for keys this instance owns. It also
   * records which keys the current cycle took, for the per-cycle report.
   */
  readonly partitionFilter = (key: string): boolean => {
    const mine = this.owns(key);
    if (mine) this.cycleTables.add(key);
    else this.cycleTables.delete(key);
    return mine;
  };

  /** Waits for a stable assignment (bounded by assignmentTimeoutMs) before a cycle reads anything. */
  async beginCycle(signal?: AbortSignal): Promise<void> {
    this.cycleTables = new Set();
    await this.waitUntilStable(signal);
    this.cycleAssignment = this.assignments;
  }

  /** The keys the cycle read; logged with the shards owned. */
  endCycle(): readonly string[] {
    this.lastCycleTables = [...this.cycleTables].sort();
    this.logger.info(
      {
        shards: [...this.ready].sort((a, b) => a - b),
        // Equal start and end assignments: the tables were read under one, unchanged ownership.
        startAssignment: this.cycleAssignment,
        assignment: this.assignments,
        tableCount: this.lastCycleTables.length,
        tables: this.lastCycleTables,
      },
      "cluster cycle",
    );
    return this.lastCycleTables;
  }

  status(): ClusterStatus {
    return {
      instance: this.instanceId,
      member: this.memberId,
      state: this.state,
      shards: [...this.ready].sort((a, b) => a - b),
      shardCount: this.shardCount,
      assignments: this.assignments,
      lastCycleTables: this.lastCycleTables,
    };
  }

  /** Ready once the instance has had an assignment; a rebalance in progress is reported, not failed. */
  health(): HealthStatus {
    const s = this.status();
    const detail = `instance ${s.instance} (${s.state}) owns shards [${s.shards.join(",")}] of ${s.shardCount}; ${s.lastCycleTables.length} tables last cycle`;
    if (s.state === "failed") return { ok: false, detail: `${detail}: ${this.failure?.message ?? "failed"}` };
    if (s.state === "starting" || s.state === "stopped") return { ok: false, detail };
    return { ok: true, detail };
  }

  /** Leaves the group (its shards move to the others at once) and closes the checkpoint store. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      await this.started?.catch(() => {});
      await this.membership.stop();
      this.setState("stopped");
      await this.checkpointStore.close();
    })();
    return this.stopped;
  }

  /** Checkpointed keys per shard: how much work each shard holds, for a balanced assignment. */
  private shardWeights(): number[] {
    const weights = new Array<number>(this.shardCount).fill(0);
    for (const key of this.checkpointStore.keys()) {
      // A table's auxiliary keys (its delivered-id parts) are not more work: count the table once.
      if (checkpointKeyOwner(key) === key) weights[shardOf(key, this.shardCount)]!++;
    }
    return weights;
  }

  private onAssigned(shards: ReadonlySet<number>, info: { memberId: string; isLeader: boolean }): void {
    if (this.stopped) return;
    this.assignments++;
    const assignment = this.assignments;
    this.memberId = info.memberId;
    this.isLeader = info.isLeader;
    this.assigned = new Set(shards);
    this.ready = new Set();
    this.setState("catching-up");
    void this.catchUp(assignment);
  }

  /** Reads the checkpoint topic to its end, then starts reading the assigned shards. */
  private async catchUp(assignment: number): Promise<void> {
    while (this.assignments === assignment && this.state === "catching-up") {
      try {
        await this.checkpointStore.readToEnd();
        if (this.assignments !== assignment || this.state !== "catching-up") return;
        this.ready = new Set(this.assigned);
        const shards = [...this.ready].sort((a, b) => a - b);
        const before = new Set(this.previousReady);
        this.logger.info(
          {
            member: this.memberId,
            leader: this.isLeader,
            assignment,
            shards,
            shardCount: this.shardCount,
            added: shards.filter((s) => !before.has(s)),
            removed: this.previousReady.filter((s) => !this.ready.has(s)),
          },
          "cluster assignment",
        );
        this.previousReady = shards;
        this.setState("stable");
        return;
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn({ err: error, assignment }, "catching up on checkpoints failed; retrying");
        // Back off a little so an unreachable broker does not turn this into a busy loop.
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private onRevoked(reason: string): void {
    if (this.state === "stopped" || this.state === "failed") return;
    if (this.ready.size > 0 || this.state === "stable") {
      this.logger.info({ reason, shards: [...this.ready].sort((a, b) => a - b) }, "cluster shards revoked");
    }
    this.ready = new Set();
    this.assigned = new Set();
    if (this.state !== "starting") this.setState("rebalancing");
  }

  private setState(state: ClusterState): void {
    this.state = state;
    for (const listener of [...this.listeners]) listener();
  }

  private async waitUntilStable(signal?: AbortSignal): Promise<void> {
    if (this.state === "stable") return;
    const timeoutMs = this.options.assignmentTimeoutMs;
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.listeners.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const check = (): void => {
        if (this.state === "stable") done();
        else if (this.state === "failed") done(this.failure ?? new Error("group membership failed"));
        else if (this.state === "stopped") done(new Error("the cluster member is stopped"));
      };
      const onAbort = (): void => done(new Error("waiting for a shard assignment was aborted"));
      const timer = setTimeout(
        () =>
          done(
            new RetryableError(
              `no stable shard assignment from consumer group "${this.options.group}" within ${timeoutMs} ms (state: ${this.state})`,
            ),
          ),
        timeoutMs,
      );
      signal?.addEventListener("abort", onAbort, { once: true });
      this.listeners.add(check);
      check();
    });
  }

  private instrument(meter: Meter): void {
    const attributes = { group: this.options.group };
    meter
      .createObservableGauge("cluster_owned_shards", {
        description: "Shards of the work this instance owns (assigned by the consumer group)",
      })
      .addCallback((result) => result.observe(this.ready.size, attributes));
    meter
      .createObservableGauge("cluster_owned_tables", {
        description: "Partitions (tables) this instance read in its last cycle",
      })
      .addCallback((result) => result.observe(this.lastCycleTables.length, attributes));
    meter
      .createObservableCounter("cluster_assignments_total", {
        description: "Shard assignments received (one per rebalance this instance took part in)",
      })
      .addCallback((result) => result.observe(this.assignments, attributes));
  }
}
