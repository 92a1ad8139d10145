import { createRequire } from "node:module";
import type { Logger } from "@pipekit/core";
import { Kafka, type logCreator, logLevel } from "kafkajs";
import type { ClusterOptions } from "../config/cluster-options.js";

/** A kafkajs client for the cluster's own traffic (membership and checkpoints). */
export function createClusterKafka(options: ClusterOptions, logger: Logger): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    retry: { retries: 5, initialRetryTime: 200 },
    logLevel: logLevel.WARN,
    logCreator: routeLogs(logger),
  });
}

/** kafkajs messages that describe normal cluster life, not problems. */
const ROUTINE = ["The group is rebalancing, re-joining", "Consumer has joined the group"];

/**
 * Broker answers kafkajs retries by itself ("The coordinator is loading…" while a group coordinator
 * starts): logged at ERROR by kafkajs, though nothing is wrong unless the retries run out, and then
 * the caller reports it. The list is kafkajs's own (pinned version).
 */
const RETRIABLE_BROKER_ERRORS: ReadonlySet<string> = new Set(
  (
    createRequire(import.meta.url)("kafkajs/src/protocol/error.js") as {
      errorCodes: readonly { message: string; retriable: boolean }[];
    }
  ).errorCodes
    .filter((e) => e.retriable)
    .map((e) => e.message),
);

/** kafkajs logs (warn and up) go to the pipeline's logger; routine group churn and retried broker answers are demoted to debug. */
function routeLogs(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, stack: _stack, timestamp: _timestamp, logger: _name, ...fields } = log;
      const text = String(message);
      const retried = typeof fields.error === "string" && RETRIABLE_BROKER_ERRORS.has(fields.error);
      if (retried || ROUTINE.some((r) => text.startsWith(r)))
        logger.debug({ kafkajs: namespace, ...fields }, text);
      else if (level === logLevel.ERROR) logger.error({ kafkajs: namespace, ...fields }, text);
      else if (level === logLevel.WARN) logger.warn({ kafkajs: namespace, ...fields }, text);
      else logger.debug({ kafkajs: namespace, ...fields }, text);
    };
}
