import type { Logger } from "@pipekit/core";
import { Kafka, type KafkaConfig, type SASLOptions } from "kafkajs";
import type { KafkaConnectionConfig } from "../config/kafka-sink-config.js";
import { KAFKAJS_LOG_LEVEL, kafkajsLogCreator } from "./kafkajs-logger.js";

/** A kafkajs client for the config, logging through `logger`. */
export function createKafkaClient(config: KafkaConnectionConfig, logger: Logger): Kafka {
  const options: KafkaConfig = {
    clientId: config.clientId,
    brokers: [...config.brokers],
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    retry: { retries: config.retries, initialRetryTime: config.initialRetryTimeMs },
    logLevel: KAFKAJS_LOG_LEVEL,
    logCreator: kafkajsLogCreator(logger),
  };
  if (config.ssl !== undefined) options.ssl = config.ssl;
  if (config.sasl) options.sasl = saslOptions(config.sasl);
  return new Kafka(options);
}

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
