import { createRequire } from "node:module";
import type { Logger } from "@pipekit/core";
import { type logCreator, logLevel } from "kafkajs";

/** Warnings kafkajs prints for choices this sink makes on purpose. */
const EXPECTED_WARNINGS = [
  // The sink limits kafkajs's retries so failures reach the pipeline's own retry loop (at-least-once).
  "Limiting retries for the idempotent producer",
];

/**
 * Broker answers kafkajs retries by itself ("The coordinator is loading…", leader elections): it
 * logs each at ERROR although nothing is wrong yet. If the retries run out, the error reaches the
 * pipeline, which reports it with its own context. The list is kafkajs's own (pinned version).
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

/** An ERROR entry about a broker answer that kafkajs will retry. */
export function isRetriedBrokerError(fields: Readonly<Record<string, unknown>>): boolean {
  return typeof fields.error === "string" && RETRIABLE_BROKER_ERRORS.has(fields.error);
}

/**
 * Routes kafkajs's logs (warn and above only) to the component logger instead of the console, at
 * their true severity: what kafkajs retries on its own is debug. Stacks are dropped: the pipeline
 * reports the errors that matter with their own context.
 */
export function kafkajsLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, stack: _stack, timestamp: _timestamp, logger: _name, ...fields } = log;
      if (EXPECTED_WARNINGS.some((w) => String(message).startsWith(w)) || isRetriedBrokerError(fields)) {
        logger.debug({ kafkajs: namespace, ...fields }, message);
        return;
      }
      if (level === logLevel.ERROR) logger.error({ kafkajs: namespace, ...fields }, message);
      else if (level === logLevel.WARN) logger.warn({ kafkajs: namespace, ...fields }, message);
      else logger.debug({ kafkajs: namespace, ...fields }, message);
    };
}

/** kafkajs builds log entries only at or above this level. */
export const KAFKAJS_LOG_LEVEL = logLevel.WARN;
