import type { Logger } from "@pipekit/core";
import { type logCreator, logLevel } from "kafkajs";

/** Warnings kafkajs prints for choices this sink makes on purpose. */
const EXPECTED_WARNINGS = [
  // The sink limits kafkajs's retries so failures reach the pipeline's own retry loop (at-least-once).
  "Limiting retries for the idempotent producer",
];

/**
 * Routes kafkajs's logs (warn and above only) to the component logger instead of the console.
 * Stacks are dropped: the pipeline reports the errors that matter with their own context.
 */
export function kafkajsLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, stack: _stack, timestamp: _timestamp, logger: _name, ...fields } = log;
      if (EXPECTED_WARNINGS.some((w) => String(message).startsWith(w))) {
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
