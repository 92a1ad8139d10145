import { type Logger, silentLogger } from "@pipekit/core";
import type { Consumer, Kafka } from "kafkajs";
import { weightedShardAssigner } from "../assignment/weighted-shard-assigner.js";

export interface ShardMembershipOptions {
  readonly group: string;
  readonly topic: string;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly logger?: Logger;
  /** Known partition keys (tables) per shard, announced when joining so the leader can balance. */
  readonly shardWeights?: () => readonly number[];
  /** The group gave this member these partitions (a new generation). */
  readonly onAssigned: (shards: ReadonlySet<number>, info: { memberId: string; isLeader: boolean }) => void;
  /** A rebalance began: every shard is revoked until the next assignment. */
  readonly onRevoked: (reason: string) => void;
  /** The member stopped for good (kafkajs gave up). */
  readonly onFailed: (error: Error) => void;
}

/**
 * Membership of the consumer group on the coordination topic. The topic carries no data: its
 * partitions are shards of the work, and the group protocol (join, sync, heartbeats, session
 * timeouts) decides who owns which. The consumer runs in the background so heartbeats continue
 * while the pipeline works; a member that stops heartbeating loses its shards to the others.
 */
export class ShardMembership {
  private readonly consumer: Consumer;
  private readonly logger: Logger;
  private started = false;
  private stopped: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly options: ShardMembershipOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.consumer = kafka.consumer({
      groupId: options.group,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs,
      rebalanceTimeout: options.rebalanceTimeoutMs,
      // Empty fetches return this often, and each is followed by a heartbeat: a rebalance is noticed
      // within about a heartbeat interval.
      maxWaitTimeInMs: Math.min(500, options.heartbeatIntervalMs),
      partitionAssigners: [weightedShardAssigner(options.topic, options.shardWeights ?? (() => []))],
    });
  }

  /** Connects and joins; resolves after the first assignment. */
  async start(): Promise<void> {
    const { consumer, options } = this;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const shards = new Set(event.payload.memberAssignment[options.topic] ?? []);
      options.onAssigned(shards, { memberId: event.payload.memberId, isLeader: event.payload.isLeader });
    });
    consumer.on(consumer.events.REBALANCING, () => options.onRevoked("rebalancing"));
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      options.onRevoked(`consumer crashed: ${error.message}`);
      if (restart) {
        this.logger.warn({ err: error }, "group membership lost; kafkajs is rejoining");
      } else if (!this.stopped) {
        options.onFailed(error);
      }
    });
    await consumer.connect();
    await consumer.subscribe({ topic: options.topic, fromBeginning: false });
    this.started = true;
    // Resolves once the consumer has joined (and emitted GROUP_JOIN); fetching goes on in the background.
    await consumer.run({ autoCommit: false, eachMessage: async () => {} });
  }

  /** Leaves the group (the others rebalance at once instead of waiting for the session timeout). */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.options.onRevoked("stopping");
      if (this.started) await this.consumer.stop().catch(() => {});
      await this.consumer.disconnect().catch(() => {});
    })();
    return this.stopped;
  }
}
