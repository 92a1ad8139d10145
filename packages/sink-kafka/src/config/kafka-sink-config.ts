import { KAFKA_SECRET_FIELDS, kafkaConnectionShape } from "@pipekit/kafka-connection";
import { z } from "zod";

export const DEFAULT_TOPIC = "akto.api.logs";
export const DEFAULT_DEAD_LETTER_TOPIC = "akto.api.logs.dead-letters";

/** Settings shared by the data sink and the dead-letter sink. */
const connectionShape = {
  ...kafkaConnectionShape(),
  /**
   * "gzip" is built into kafkajs; "snappy" uses the pure-JavaScript kafkajs-snappy codec. lz4 and
   * zstd are not offered: their kafkajs codecs need native builds.
   */
  compression: z.enum(["none", "gzip", "snappy"]).default("gzip"),
  /**
   * Largest uncompressed size of one produce (one record batch per partition). Default: the
   * topic's own `max.message.bytes`, read at open. Bigger engine batches are sent in several goes.
   */
  maxBatchBytes: z.number().int().min(1024).optional(),
  /**
   * Idempotent producers writing at once, each owning the partitions p with p mod lanes = its
   * number (at most one per partition). kafkajs prepares and sends one request at a time per
   * producer; more lanes overlap one batch's encoding with another's wait for the broker. Each
   * lane is one producer id and one connection per broker.
   */
  produceLanes: z.number().int().min(1).max(16).default(3),
} as const;

export const kafkaSinkConfigSchema = z
  .object({
    ...connectionShape,
    topic: z.string().min(1).default(DEFAULT_TOPIC),
    /** Record key: none (like Akto's own producer, partitions are round-robin) or the message id. */
    key: z.enum(["none", "id"]).default("none"),
  })
  .strict();

export const kafkaDeadLetterSinkConfigSchema = z
  .object({
    ...connectionShape,
    topic: z.string().min(1).default(DEFAULT_DEAD_LETTER_TOPIC),
  })
  .strict();

export type KafkaSinkConfig = z.output<typeof kafkaSinkConfigSchema>;
export type KafkaSinkConfigInput = z.input<typeof kafkaSinkConfigSchema>;
export type KafkaDeadLetterSinkConfig = z.output<typeof kafkaDeadLetterSinkConfigSchema>;
export type KafkaDeadLetterSinkConfigInput = z.input<typeof kafkaDeadLetterSinkConfigSchema>;
/** What both sinks need to reach Kafka and shape their produces. */
export type KafkaConnectionConfig = Pick<KafkaSinkConfig, keyof typeof connectionShape>;

// Re-exported because the sink's components and callers have always taken it from here.
export { KAFKA_SECRET_FIELDS };
