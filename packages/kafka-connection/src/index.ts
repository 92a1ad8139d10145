// How pipekit's Kafka packages reach Kafka: one schema for the connection settings, one kafkajs
// client factory, one routing of kafkajs's logs.

export {
  KAFKA_SASL_MECHANISMS,
  KAFKA_SECRET_FIELDS,
  type KafkaConnectionConfig,
  type KafkaConnectionConfigInput,
  type KafkaConnectionDefaults,
  type KafkaSaslMechanism,
  kafkaConnectionSchema,
  kafkaConnectionShape,
  kafkaSaslSchema,
  kafkaSslSchema,
} from "./connection-schema.js";
export { createKafkaClient, type KafkaClientOptions } from "./kafka-client.js";
export { isRetriedBrokerError, KAFKAJS_LOG_LEVEL, kafkajsLogCreator } from "./kafkajs-logger.js";
export {
  AssignerProtocol,
  CompressionCodecs,
  CompressionTypes,
  ConfigResourceTypes,
  Partitioners,
} from "./kafkajs-runtime.js";
