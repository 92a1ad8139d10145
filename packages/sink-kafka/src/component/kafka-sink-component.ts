import { defineComponent, parseConfig } from "@pipekit/core";
import {
  KAFKA_SECRET_FIELDS,
  type KafkaDeadLetterSinkConfigInput,
  type KafkaSinkConfigInput,
  kafkaDeadLetterSinkConfigSchema,
  kafkaSinkConfigSchema,
} from "../config/kafka-sink-config.js";
import { deadLetterEncoder, valueEncoder } from "../encoding/encode-record.js";
import { KafkaSink } from "../sink/kafka-sink.js";

/**
 * The Kafka data sink, e.g. `createKafkaSink({ brokers: ["127.0.0.1:9092"] })` writes to
 * `akto.api.logs`. Config is validated (a ConfigError naming each bad field, never a secret's value).
 */
export function createKafkaSink(config: KafkaSinkConfigInput): KafkaSink {
  const parsed = parseConfig(kafkaSinkConfigSchema, config, "Kafka sink config", [], {
    secretFields: KAFKA_SECRET_FIELDS,
  });
  return new KafkaSink({
    type: "kafka",
    connection: parsed,
    topic: parsed.topic,
    encode: valueEncoder({ key: parsed.key }),
  });
}

/**
 * A dead-letter sink writing to a Kafka topic: each failed message's value, keyed by its id, with
 * the error and where it happened in `pipekit-*` headers. Use it as the pipeline's `deadLetter`.
 */
export function createKafkaDeadLetterSink(config: KafkaDeadLetterSinkConfigInput): KafkaSink {
  const parsed = parseConfig(kafkaDeadLetterSinkConfigSchema, config, "Kafka dead-letter sink config", [], {
    secretFields: KAFKA_SECRET_FIELDS,
  });
  return new KafkaSink({
    type: "kafka-dead-letter",
    connection: parsed,
    topic: parsed.topic,
    encode: deadLetterEncoder(),
  });
}

export const kafkaSinkComponent = defineComponent({
  kind: "sink",
  type: "kafka",
  description:
    "Writes messages to a Kafka topic (default akto.api.logs) with an idempotent kafkajs producer, acks=all.",
  configSchema: kafkaSinkConfigSchema,
  secretFields: KAFKA_SECRET_FIELDS,
  create: (config) =>
    new KafkaSink({ type: "kafka", connection: config, topic: config.topic, encode: valueEncoder(config) }),
});

export const kafkaDeadLetterSinkComponent = defineComponent({
  kind: "sink",
  type: "kafka-dead-letter",
  description:
    "Writes dead letters to a Kafka topic: the failed message's value, with the error in pipekit-* headers.",
  configSchema: kafkaDeadLetterSinkConfigSchema,
  secretFields: KAFKA_SECRET_FIELDS,
  create: (config) =>
    new KafkaSink({
      type: "kafka-dead-letter",
      connection: config,
      topic: config.topic,
      encode: deadLetterEncoder(),
    }),
});
