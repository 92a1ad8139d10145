// The `@pipekit/cluster-kafka/config` entry: the runner validates a pipeline file's `cluster:` block
// with this schema without loading kafkajs, so nothing here may import it (a test holds this).
import { KAFKA_SECRET_FIELDS, kafkaConnectionShape } from "@pipekit/kafka-connection/config";
import { z } from "zod";

const topicName = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,249}$/, "a Kafka topic name: letters, digits, '.', '_' or '-'");

/**
 * How instances of one pipeline find each other. Every instance of the pipeline must use the same
 * group and topics; shard ownership and checkpoints live in Kafka, so instances are interchangeable.
 */
export const clusterOptionsSchema = z
  .object({
    /**
     * Brokers, client id, TLS, SASL, timeouts: the Kafka sink's settings, so one block of connection
     * settings fits both. 5 quick kafkajs retries, as the cluster always had (the sink's 3 hand
     * failures to the pipeline's retry loop sooner).
     */
    ...kafkaConnectionShape({ clientId: "pipekit-cluster", retries: 5 }),
    /** Consumer group the instances join; Kafka's group membership assigns the shards. */
    group: z.string().min(1),
    /** Topic whose partitions are the shards (created with `shards` partitions if missing). */
    coordinationTopic: topicName,
    /** Compacted topic of checkpoints, keyed by partition (table) name. */
    checkpointTopic: topicName,
    /**
     * Number of shards the table set is hashed into. More shards than instances spread the work
     * evenly and let it move in small pieces; an existing coordination topic's partition count wins.
     */
    shards: z.int().min(1).max(1000).default(12),
    /** Partitions of the checkpoint topic when it is created. */
    checkpointPartitions: z.int().min(1).max(100).default(1),
    /** Replication of created topics; -1 leaves it to the broker's default. */
    replicationFactor: z.int().min(-1).max(10).default(-1),
    /**
     * A dead instance's shards move after this long without heartbeats. The broker bounds it
     * (group.min.session.timeout.ms, 6 s by default).
     */
    sessionTimeoutMs: z.int().min(1000).default(6_000),
    heartbeatIntervalMs: z.int().min(100).default(1_000),
    /** How long the group waits for every member to rejoin during a rebalance. */
    rebalanceTimeoutMs: z.int().min(1000).default(10_000),
    /** How long a cycle waits for a shard assignment (and checkpoint catch-up) before failing. */
    assignmentTimeoutMs: z.int().min(1000).default(30_000),
  })
  .strict();

export type ClusterOptions = z.output<typeof clusterOptionsSchema>;
export type ClusterOptionsInput = z.input<typeof clusterOptionsSchema>;

/** Paths inside the options never echoed in errors or logs (the connection's SASL password, TLS key). */
export const CLUSTER_SECRET_FIELDS = KAFKA_SECRET_FIELDS;
