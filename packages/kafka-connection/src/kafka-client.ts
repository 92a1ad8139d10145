import type { Logger } from "@pipekit/core";
import { Kafka, type KafkaConfig, type SASLOptions } from "kafkajs";
import type { KafkaConnectionConfig } from "./connection-schema.js";
import { KAFKAJS_LOG_LEVEL, kafkajsLogCreator } from "./kafkajs-logger.js";

export interface KafkaClientOptions {
  /** Prefixes of kafkajs messages that are normal for this client; logged at debug. */
  readonly routineLogs?: readonly string[];
}

/** A kafkajs client for the connection settings, logging through `logger`. */
export function createKafkaClient(
  config: KafkaConnectionConfig,
  logger: Logger,
  options: KafkaClientOptions = {},
): Kafka {
  const kafkaConfig: KafkaConfig = {
    clientId: config.clientId,
    brokers: [...config.brokers],
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    retry: { retries: config.retries, initialRetryTime: config.initialRetryTimeMs },
    logLevel: KAFKAJS_LOG_LEVEL,
    logCreator: kafkajsLogCreator(logger, options.routineLogs),
  };
  if (config.ssl !== undefined) kafkaConfig.ssl = config.ssl;
  if (config.sasl) kafkaConfig.sasl = saslOptions(config.sasl);
  return new Kafka(kafkaConfig);
}

// kafkajs types SASL options as a union discriminated by mechanism, so a plain spread does not
// type-check; the switch also fails the build if a mechanism is added without being mapped.
function saslOptions(sasl: NonNullable<KafkaConnectionConfig["sasl"]>): SASLOptions {
  const { username, password } = sasl;
  switch (sasl.mechanism) {
    case "plain":
      return { mechanism: "plain", username, password };
    case "scram-sha-256":
      return { mechanism: "scram-sha-256", username, password };
    case "scram-sha-512":
      return { mechanism: "scram-sha-512", username, password };
  }
}
