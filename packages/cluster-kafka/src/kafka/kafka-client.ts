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

/** kafkajs logs (warn and up) go to the pipeline's logger; routine group churn is demoted to debug. */
function routeLogs(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, stack: _stack, timestamp: _timestamp, logger: _name, ...fields } = log;
      const text = String(message);
      if (ROUTINE.some((r) => text.startsWith(r))) logger.debug({ kafkajs: namespace, ...fields }, text);
      else if (level === logLevel.ERROR) logger.error({ kafkajs: namespace, ...fields }, text);
      else if (level === logLevel.WARN) logger.warn({ kafkajs: namespace, ...fields }, text);
      else logger.debug({ kafkajs: namespace, ...fields }, text);
    };
}
