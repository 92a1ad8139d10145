import { z } from "zod";

export const DEFAULT_TOPIC = "akto.api.logs";
export const DEFAULT_DEAD_LETTER_TOPIC = "akto.api.logs.dead-letters";

const brokerAddress = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be "host:port", e.g. "127.0.0.1:9092"');

const sslSchema = z.union([
  z.boolean(),
  z
    .object({
      /** PEM text of the CA bundle to trust (default: the system's). */
      ca: z.string().optional(),
      /** PEM client certificate and key for mutual TLS. */
      cert: z.string().optional(),
      key: z.string().optional(),
      rejectUnauthorized: z.boolean().default(true),
      servername: z.string().optional(),
    })
    .strict(),
]);

const saslSchema = z
  .object({
    mechanism: z.enum(["plain", "scram-sha-256", "scram-sha-512"]),
    username: z.string().min(1),
    password: z.string().min(1),
  })
  .strict();

/** Settings shared by the data sink and the dead-letter sink. */
const connectionShape = {
  /** Bootstrap brokers, "host:port" each (the runner maps KAFKA_BROKER_HOST here). */
  brokers: z.array(brokerAddress).min(1),
  clientId: z.string().min(1).default("pipekit"),
  ssl: sslSchema.optional(),
  sasl: saslSchema.optional(),
  /**
   * "gzip" is built into kafkajs; "snappy" uses the pure-JavaScript kafkajs-snappy codec. lz4 and
   * zstd are not offered: their kafkajs codecs need native builds.
   */
  compression: z.enum(["none", "gzip", "snappy"]).default("gzip"),
  connectionTimeoutMs: z.number().int().positive().default(3_000),
  requestTimeoutMs: z.number().int().positive().default(30_000),
  /**
   * kafkajs's own quick retries inside one write (reconnects, leader moves). When they run out the
   * write fails with a RetryableError and the pipeline's backoff takes over, so keep this small.
   */
  retries: z.number().int().min(1).max(20).default(3),
  initialRetryTimeMs: z.number().int().positive().default(200),
  /**
   * Largest uncompressed size of one produce (one record batch per partition). Default: the
   * topic's own `max.message.bytes`, read at open. Bigger engine batches are sent in several goes.
   */
  maxBatchBytes: z.number().int().min(1024).optional(),
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
/** What both sinks need to reach Kafka. */
export type KafkaConnectionConfig = Pick<KafkaSinkConfig, keyof typeof connectionShape>;

/** Config paths never echoed in errors or logs. */
export const KAFKA_SECRET_FIELDS = ["sasl.password", "ssl.key"] as const;
