export { createKafkaTopics, type TopicSpec } from "./broker/create-topics.js";
export { KafkaBroker, type StartKafkaBrokerOptions, startKafkaBroker } from "./broker/kafka-broker.js";
export { TEST_SASL_USER } from "./broker/test-sasl-user.js";
export { readTopic, type TopicRecord } from "./consume/read-topic.js";
export {
  DEFAULT_KAFKA_VERSION,
  type ResolveKafkaJarsOptions,
  resolveKafkaJars,
} from "./jars/resolve-kafka-jars.js";
// Type-only: brings the `inject("kafkaBootstrap")` typing to packages that import the testkit.
export type {} from "./vitest-global-setup.js";
