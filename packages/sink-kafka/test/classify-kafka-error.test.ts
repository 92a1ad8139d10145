import { FatalError, PoisonError, RetryableError } from "@pipekit/core";
import {
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSSASLAuthenticationError,
} from "kafkajs";
import { describe, expect, it } from "vitest";
import { classifyKafkaError, toClassifiedError } from "../src/index.js";

/** What kafkajs throws for a broker error code (the type/code pair of its protocol error table). */
function protocolError(type: string, code: number, retriable = false): KafkaJSProtocolError {
  return new KafkaJSProtocolError({ type, code, retriable, message: `broker said ${type}` } as never);
}

/** kafkajs wraps a non-retriable failure this way when its retrier bails out. */
function bailed(error: Error): KafkaJSNonRetriableError {
  // kafkajs's type declarations omit the constructor options its retrier passes.
  const NonRetriable = KafkaJSNonRetriableError as unknown as new (
    e: Error,
    options: { cause: Error },
  ) => KafkaJSNonRetriableError;
  return new NonRetriable(error, { cause: error });
}

function saslError(message: string): Error {
  const SaslError = KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;
  return new SaslError(message);
}

const where = { brokers: ["10.0.0.1:9092", "10.0.0.2:9092"], topic: "akto.api.logs" };

describe("classifyKafkaError", () => {
  it("treats connection failures and exhausted retries as retryable", () => {
    const refused = new KafkaJSConnectionError("Connection error: connect ECONNREFUSED 10.0.0.1:9092", {
      broker: "10.0.0.1:9092",
    } as never);
    const exhausted = new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 3, retryTime: 800 } as never);
    expect(classifyKafkaError(refused)).toBe("retryable");
    expect(classifyKafkaError(exhausted)).toBe("retryable");
    expect(
      classifyKafkaError(new KafkaJSRequestTimeoutError("Request Produce(key: 0) timed out" as never)),
    ).toBe("retryable");
    expect(classifyKafkaError(bailed(protocolError("UNKNOWN_TOPIC_OR_PARTITION", 3, true)))).toBe(
      "retryable",
    );
    expect(classifyKafkaError(new Error("anything else"))).toBe("retryable");
  });

  it("treats a record the broker refuses for its size or shape as poison, also when wrapped", () => {
    expect(classifyKafkaError(protocolError("MESSAGE_TOO_LARGE", 10))).toBe("poison");
    expect(classifyKafkaError(bailed(protocolError("RECORD_LIST_TOO_LARGE", 18)))).toBe("poison");
    expect(classifyKafkaError(bailed(protocolError("INVALID_RECORD", 87)))).toBe("poison");
  });

  it("treats authentication and authorization failures as fatal", () => {
    expect(classifyKafkaError(saslError("SASL SCRAM SHA256 authentication failed"))).toBe("fatal");
    expect(classifyKafkaError(bailed(protocolError("TOPIC_AUTHORIZATION_FAILED", 29)))).toBe("fatal");
    expect(classifyKafkaError(bailed(protocolError("SASL_AUTHENTICATION_FAILED", 58)))).toBe("fatal");
    expect(classifyKafkaError(protocolError("CLUSTER_AUTHORIZATION_FAILED", 31))).toBe("fatal");
  });

  it("keeps errors that are already classified", () => {
    expect(classifyKafkaError(new PoisonError("x"))).toBe("poison");
    expect(classifyKafkaError(new FatalError("x"))).toBe("fatal");
    expect(classifyKafkaError(new RetryableError("x"))).toBe("retryable");
  });
});

describe("toClassifiedError", () => {
  it("wraps into the pipeline's classes with brokers, topic and the whole cause chain", () => {
    const refused = new KafkaJSConnectionError("Connection error: connect ECONNREFUSED 10.0.0.1:9092");
    const retryable = toClassifiedError(new KafkaJSNumberOfRetriesExceeded(refused, {} as never), where);
    expect(retryable).toBeInstanceOf(RetryableError);
    expect(retryable.message).toBe(
      "Writing to Kafka topic 'akto.api.logs' on 10.0.0.1:9092,10.0.0.2:9092 failed: " +
        "Connection error: connect ECONNREFUSED 10.0.0.1:9092",
    );

    const poison = toClassifiedError(bailed(protocolError("MESSAGE_TOO_LARGE", 10)), where);
    expect(poison).toBeInstanceOf(PoisonError);
    expect(poison.message).toContain("broker said MESSAGE_TOO_LARGE (MESSAGE_TOO_LARGE)");

    const fatal = toClassifiedError(saslError("SASL PLAIN authentication failed"), where);
    expect(fatal).toBeInstanceOf(FatalError);
    expect(fatal.message).toMatch(
      /^Kafka refused access to topic 'akto.api.logs' on .*SASL PLAIN authentication failed$/,
    );
    expect(fatal.cause).toBeInstanceOf(KafkaJSError);
  });
});
