// Scale-out on Kafka: shard ownership from a consumer group, checkpoints in a compacted topic.

export { balanceShards } from "./assignment/balance-shards.js";
export { WEIGHTED_ASSIGNER_NAME, weightedShardAssigner } from "./assignment/weighted-shard-assigner.js";
export {
  KafkaCheckpointStore,
  type KafkaCheckpointStoreOptions,
} from "./checkpoint/kafka-checkpoint-store.js";
export { clusterSource } from "./cluster/cluster-source.js";
export {
  type ClusterState,
  type ClusterStatus,
  KafkaCluster,
  type KafkaClusterDeps,
} from "./cluster/kafka-cluster.js";
export {
  CLUSTER_SECRET_FIELDS,
  type ClusterOptions,
  type ClusterOptionsInput,
  clusterOptionsSchema,
} from "./config/cluster-options.js";
export { createClusterKafka } from "./kafka/kafka-client.js";
export { ShardMembership, type ShardMembershipOptions } from "./membership/shard-membership.js";
export { shardOf } from "./sharding/shard-of.js";
export { ensureTopics, type TopicPlan } from "./topics/ensure-topics.js";
