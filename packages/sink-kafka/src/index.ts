export {
  createKafkaDeadLetterSink,
  createKafkaSink,
  kafkaDeadLetterSinkComponent,
  kafkaSinkComponent,
} from "./component/kafka-sink-component.js";
export { components } from "./components.js";
export {
  DEFAULT_DEAD_LETTER_TOPIC,
  DEFAULT_TOPIC,
  KAFKA_SECRET_FIELDS,
  type KafkaDeadLetterSinkConfig,
  type KafkaDeadLetterSinkConfigInput,
  type KafkaSinkConfig,
  type KafkaSinkConfigInput,
  kafkaDeadLetterSinkConfigSchema,
  kafkaSinkConfigSchema,
} from "./config/kafka-sink-config.js";
export {
  deadLetterEncoder,
  encodeValue,
  type RecordEncoder,
  valueEncoder,
} from "./encoding/encode-record.js";
export { classifyKafkaError, toClassifiedError } from "./errors/classify-kafka-error.js";
export { KafkaSink, type KafkaSinkOptions } from "./sink/kafka-sink.js";
