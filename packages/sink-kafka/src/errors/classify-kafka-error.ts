import { FatalError, PoisonError, RetryableError } from "@pipekit/core";
import type { ErrorClass } from "@pipekit/core/advanced";

/** Broker error types that mean "this record (batch) can never be accepted". */
const POISON_TYPES = new Set([
  "MESSAGE_TOO_LARGE",
  "RECORD_LIST_TOO_LARGE",
  "INVALID_RECORD",
  "INVALID_TIMESTAMP",
]);

/** Broker error types that no retry can fix: credentials, permissions, an unusable setup. */
const FATAL_TYPES = new Set([
  "SASL_AUTHENTICATION_FAILED",
  "UNSUPPORTED_SASL_MECHANISM",
  "ILLEGAL_SASL_STATE",
  "TOPIC_AUTHORIZATION_FAILED",
  "CLUSTER_AUTHORIZATION_FAILED",
  "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
  "DELEGATION_TOKEN_AUTHORIZATION_FAILED",
  "INVALID_TOPIC_EXCEPTION",
  "INVALID_REQUIRED_ACKS",
  "UNSUPPORTED_COMPRESSION_TYPE",
  "UNSUPPORTED_FOR_MESSAGE_FORMAT",
]);

/**
 * Idempotent-producer state the broker no longer recognises (typically after a broker restart or a
 * long outage). Retrying with a fresh producer fixes it; the sink resets its producer when it sees one.
 */
const PRODUCER_STATE_TYPES = new Set([
  "OUT_OF_ORDER_SEQUENCE_NUMBER",
  "UNKNOWN_PRODUCER_ID",
  "INVALID_PRODUCER_EPOCH",
  "INVALID_PRODUCER_ID_MAPPING",
]);

const FATAL_ERROR_NAMES = new Set(["KafkaJSSASLAuthenticationError"]);

interface KafkaJsLikeError {
  readonly name?: string;
  readonly type?: string;
  readonly message?: string;
  readonly cause?: unknown;
  readonly originalError?: unknown;
}

/** The error and everything it wraps (kafkajs nests causes: retries-exhausted → connection error…). */
export function errorChain(error: unknown): KafkaJsLikeError[] {
  const chain: KafkaJsLikeError[] = [];
  let current: unknown = error;
  while (current !== null && typeof current === "object" && chain.length < 10 && !chain.includes(current)) {
    const e = current as KafkaJsLikeError;
    chain.push(e);
    current = e.cause ?? e.originalError;
  }
  return chain;
}

/** The broker's error type (e.g. "MESSAGE_TOO_LARGE") anywhere in the chain. */
export function kafkaErrorType(error: unknown): string | undefined {
  return errorChain(error).find((e) => typeof e.type === "string")?.type;
}

export function classifyKafkaError(error: unknown): ErrorClass {
  if (error instanceof RetryableError || error instanceof PoisonError || error instanceof FatalError) {
    return error.class;
  }
  const chain = errorChain(error);
  if (chain.some((e) => e.name && FATAL_ERROR_NAMES.has(e.name))) return "fatal";
  for (const e of chain) {
    if (typeof e.type !== "string") continue;
    if (POISON_TYPES.has(e.type)) return "poison";
    if (FATAL_TYPES.has(e.type)) return "fatal";
  }
  // Connection refused/closed, request timeouts, retries exhausted, leader moves, unknown topic
  // during a restart, stale producer state...: all pass once the cluster is healthy again.
  return "retryable";
}

/** True when the idempotent producer must be replaced before the next try. */
export function needsProducerReset(error: unknown): boolean {
  return errorChain(error).some(
    (e) =>
      (typeof e.type === "string" && PRODUCER_STATE_TYPES.has(e.type)) ||
      e.message === "The producer is disconnected",
  );
}

/**
 * Wraps a kafkajs error into the pipeline's error classes with a message naming where it happened
 * (brokers and topic, never credentials).
 */
export function toClassifiedError(
  error: unknown,
  where: { readonly brokers: readonly string[]; readonly topic: string },
): RetryableError | PoisonError | FatalError {
  if (error instanceof RetryableError || error instanceof PoisonError || error instanceof FatalError) {
    return error;
  }
  const detail = describeChain(error);
  const target = `topic '${where.topic}' on ${where.brokers.join(",")}`;
  switch (classifyKafkaError(error)) {
    case "poison":
      return new PoisonError(`Kafka rejected the record(s) for ${target}: ${detail}`, { cause: error });
    case "fatal":
      return new FatalError(`Kafka refused access to ${target}: ${detail}`, { cause: error });
    default:
      return new RetryableError(`Writing to Kafka ${target} failed: ${detail}`, { cause: error });
  }
}

/** "outer message (type) ← inner message", de-duplicated. */
export function describeChain(error: unknown): string {
  const parts: string[] = [];
  for (const e of errorChain(error)) {
    const text = `${e.message ?? String(e)}${e.type ? ` (${e.type})` : ""}`;
    if (!parts.includes(text)) parts.push(text);
  }
  return parts.join(" <- ") || String(error);
}
