import { createRequire } from "node:module";
import type { Logger } from "@pipekit/core";
import { type logCreator, logLevel } from "kafkajs";

/**
 * Broker answers kafkajs retries by itself ("The coordinator is loading…", leader elections): it
 * logs each at ERROR although nothing is wrong yet. If the retries run out, the error reaches the
 * caller, which reports it with its own context. The list is kafkajs's own (pinned version).
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
 * Routes kafkajs's logs (warn and above only) to our logger instead of the console, at their true
 * severity: what kafkajs retries on its own, and messages starting with one of `routine` (what is
 * normal for this caller), are debug. Stacks are dropped: callers report the errors that matter
 * with their own context.
 */
export function kafkajsLogCreator(logger: Logger, routine: readonly string[] = []): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, stack: _stack, timestamp: _timestamp, logger: _name, ...fields } = log;
      const text = String(message);
      const entry = { kafkajs: namespace, ...fields };
      if (isRetriedBrokerError(fields) || routine.some((r) => text.startsWith(r))) logger.debug(entry, text);
      else if (level === logLevel.ERROR) logger.error(entry, text);
      else if (level === logLevel.WARN) logger.warn(entry, text);
      else logger.debug(entry, text);
    };
}

/** kafkajs builds log entries only at or above this level. */
export const KAFKAJS_LOG_LEVEL = logLevel.WARN;
