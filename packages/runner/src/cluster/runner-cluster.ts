import type { MeterProvider } from "@opentelemetry/api";
import { KafkaCluster } from "@pipekit/cluster-kafka";
import type { Logger } from "@pipekit/core";
import { type ClusterConfig, toClusterOptions } from "./cluster-config.js";

/** A cluster member for the pipeline's `cluster:` block (not started: the engine wrapper does that). */
export function createRunnerCluster(
  config: ClusterConfig,
  deps: { logger: Logger; meterProvider?: MeterProvider },
): KafkaCluster {
  return new KafkaCluster(toClusterOptions(config), {
    logger: deps.logger,
    ...(deps.meterProvider ? { meter: deps.meterProvider.getMeter("@pipekit/cluster-kafka") } : {}),
  });
}
