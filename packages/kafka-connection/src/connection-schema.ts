// The `@pipekit/kafka-connection/config` entry: schemas only, no kafkajs, so a config can be
// validated without loading the client.
import { z } from "zod";

const brokerAddress = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be "host:port", e.g. "127.0.0.1:9092"');

/** `true` for TLS with the system's CAs; an object to pin a CA or present a client certificate. */
export const kafkaSslSchema = z.union([
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

/** The mechanisms kafkajs implements itself; GSSAPI/OAUTHBEARER would need code of ours. */
export const KAFKA_SASL_MECHANISMS = ["plain", "scram-sha-256", "scram-sha-512"] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

export const kafkaSaslSchema = z
  .object({
    mechanism: z.enum(KAFKA_SASL_MECHANISMS, {
      error: `expected one of ${KAFKA_SASL_MECHANISMS.join(", ")}`,
    }),
    username: z.string().min(1),
    password: z.string().min(1),
  })
  .strict();

/** Defaults that differ between users: each names its own client, and the sink keeps retries low. */
export interface KafkaConnectionDefaults {
  readonly clientId: string;
  readonly retries: number;
}

/**
 * The connection fields, to spread into a package's own strict object schema so its users write
 * them next to its other settings (one flat block in the YAML).
 */
export function kafkaConnectionShape(
  defaults: KafkaConnectionDefaults = { clientId: "pipekit", retries: 3 },
) {
  return {
    /** Bootstrap brokers, "host:port" each (the runner maps KAFKA_BROKER_HOST here). */
    brokers: z.array(brokerAddress).min(1),
    clientId: z.string().min(1).default(defaults.clientId),
    ssl: kafkaSslSchema.optional(),
    sasl: kafkaSaslSchema.optional(),
    connectionTimeoutMs: z.number().int().positive().default(3_000),
    requestTimeoutMs: z.number().int().positive().default(30_000),
    /**
     * kafkajs's own quick retries inside one request (reconnects, leader moves). When they run out
     * the caller's own retry policy takes over, so keep this small.
     */
    retries: z.number().int().min(1).max(20).default(defaults.retries),
    initialRetryTimeMs: z.number().int().positive().default(200),
  } as const;
}

export const kafkaConnectionSchema = z.object(kafkaConnectionShape()).strict();

export type KafkaConnectionConfig = z.output<typeof kafkaConnectionSchema>;
export type KafkaConnectionConfigInput = z.input<typeof kafkaConnectionSchema>;

/**
 * Config paths (relative to the block holding the connection fields) never echoed in errors or
 * logs: components list them as `secretFields` for the runner's scrubber.
 */
export const KAFKA_SECRET_FIELDS = ["sasl.password", "ssl.key"] as const;
