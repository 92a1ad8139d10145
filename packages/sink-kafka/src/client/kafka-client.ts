import type { Logger } from "@pipekit/core";
import { createKafkaClient as createClient } from "@pipekit/kafka-connection";
import type { Kafka } from "kafkajs";
import type { KafkaConnectionConfig } from "../config/kafka-sink-config.js";

/**
 * kafkajs warns on every idempotent producer whose retries are limited; the sink limits them on
 * purpose, so failures reach the pipeline's own retry loop (at-least-once).
 */
const ROUTINE_LOGS = ["Limiting retries for the idempotent producer"];

/** A kafkajs client for the sink's connection settings, logging through `logger`. */
export function createKafkaClient(config: KafkaConnectionConfig, logger: Logger): Kafka {
  return createClient(config, logger, { routineLogs: ROUTINE_LOGS });
}
