import type { ClusterOptionsInput } from "@pipekit/cluster-kafka";
import { z } from "zod";

// Written out here, not imported, because validating a file must not load kafkajs (the cluster
// package is loaded only for a cluster run); `toClusterOptions` type-checks them against the library.
type SaslMechanism = NonNullable<ClusterOptionsInput["sasl"]>["mechanism"];
const SASL_MECHANISMS = [
  "plain",
  "scram-sha-256",
  "scram-sha-512",
] as const satisfies readonly SaslMechanism[];

/** Same keys as a Kafka sink's `ssl`, so one block can be copied between them. */
const sslSchema = z.union([
  z.boolean(),
  z.strictObject({
    ca: z.string().optional(),
    cert: z.string().optional(),
    key: z.string().optional(),
    rejectUnauthorized: z.boolean().optional(),
    servername: z.string().optional(),
  }),
]);

const saslSchema = z.strictObject({
  mechanism: z.enum(SASL_MECHANISMS, { error: `expected one of ${SASL_MECHANISMS.join(", ")}` }),
  username: z.string().min(1),
  password: z.string().min(1),
});

/** Paths inside the `cluster:` block the runner masks, as a Kafka sink's `secretFields`. */
export const CLUSTER_SECRET_FIELDS = ["sasl.password", "ssl.key"] as const;

/**
 * The `cluster:` block: run several instances of this pipeline and let a Kafka consumer group share
 * the work between them (checkpoints then live in a compacted Kafka topic instead of a file).
 * Leave it out for a single instance.
 */
export const clusterConfigSchema = z.strictObject({
  /** Bootstrap brokers, "host:port" each. */
  brokers: z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected "host:port"')).min(1),
  /** Consumer group of the instances; every instance of the pipeline uses the same one. */
  group: z.string().min(1),
  /** Topic whose partitions are the shards (default `<group>.shards`). */
  coordination_topic: z.string().min(1).optional(),
  /** Compacted topic of checkpoints (default `<group>.checkpoints`). */
  checkpoint_topic: z.string().min(1).optional(),
  /** How many shards the tables are hashed into (default 12; an existing topic's count wins). */
  shards: z.int().min(1).max(1000).optional(),
  client_id: z.string().min(1).optional(),
  /** TLS to the brokers: `true`, or `{ ca, cert, key, rejectUnauthorized, servername }` (PEM text). */
  ssl: sslSchema.optional(),
  /** `{ mechanism: plain | scram-sha-256 | scram-sha-512, username, password }`. */
  sasl: saslSchema.optional(),
  /** A silent instance's shards move to the others after this long (default 6000). */
  session_timeout_ms: z.int().min(1000).optional(),
  heartbeat_interval_ms: z.int().min(100).optional(),
  rebalance_timeout_ms: z.int().min(1000).optional(),
  /** How long a cycle waits for a shard assignment before failing (default 30000). */
  assignment_timeout_ms: z.int().min(1000).optional(),
});

export type ClusterConfig = z.output<typeof clusterConfigSchema>;

/** The YAML block (snake_case) → the library's options. */
export function toClusterOptions(config: ClusterConfig): ClusterOptionsInput {
  const optional = {
    shards: config.shards,
    clientId: config.client_id,
    ssl: config.ssl,
    sasl: config.sasl,
    sessionTimeoutMs: config.session_timeout_ms,
    heartbeatIntervalMs: config.heartbeat_interval_ms,
    rebalanceTimeoutMs: config.rebalance_timeout_ms,
    assignmentTimeoutMs: config.assignment_timeout_ms,
  };
  return {
    brokers: config.brokers,
    group: config.group,
    coordinationTopic: config.coordination_topic ?? `${config.group}.shards`,
    checkpointTopic: config.checkpoint_topic ?? `${config.group}.checkpoints`,
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
  };
}
