import type { Logger } from "@pipekit/core";
import { createKafkaClient } from "@pipekit/kafka-connection";
import type { Kafka } from "kafkajs";
import type { ClusterOptions } from "../config/cluster-options.js";

/** Group churn is how the cluster moves shards, not a problem; kafkajs logs it at WARN. */
const ROUTINE_LOGS = ["The group is rebalancing, re-joining", "Consumer has joined the group"];

/** A kafkajs client for the cluster's own traffic (membership and checkpoints). */
export function createClusterKafka(options: ClusterOptions, logger: Logger): Kafka {
  return createKafkaClient(options, logger, { routineLogs: ROUTINE_LOGS });
}
