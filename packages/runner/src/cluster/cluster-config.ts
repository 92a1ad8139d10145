import { type ClusterOptionsInput, clusterOptionsSchema } from "@pipekit/cluster-kafka/config";
import type { z } from "zod";

// From the package's kafkajs-free entry: validating a file must not load kafkajs (the cluster
// package's root is loaded only for a cluster run).
export { CLUSTER_SECRET_FIELDS } from "@pipekit/cluster-kafka/config";

/**
 * The `cluster:` block: run several instances of this pipeline and let a Kafka consumer group share
 * the work between them (checkpoints then live in a compacted Kafka topic instead of a file).
 * Leave it out for a single instance. It is the library's options, with the two topics named after
 * the group unless set.
 */
export const clusterConfigSchema = clusterOptionsSchema.partial({
  coordinationTopic: true,
  checkpointTopic: true,
});

export type ClusterConfig = z.output<typeof clusterConfigSchema>;

/** The block → the library's options: the topics default to `<group>.shards` and `<group>.checkpoints`. */
export function toClusterOptions(config: ClusterConfig): ClusterOptionsInput {
  return {
    ...config,
    coordinationTopic: config.coordinationTopic ?? `${config.group}.shards`,
    checkpointTopic: config.checkpointTopic ?? `${config.group}.checkpoints`,
  };
}
