import type { Source } from "@pipekit/core";
import { wrapSource } from "@pipekit/core/advanced";
import type { KafkaCluster } from "./kafka-cluster.js";

/**
 * Wraps a source (built with `partitionFilter: cluster.partitionFilter`) so each pass first waits
 * for a stable shard assignment and ends with the cluster's per-cycle report. The cluster's own
 * health is `cluster.health()`.
 */
export function clusterSource<T>(source: Source<T>, cluster: KafkaCluster): Source<T> {
  return wrapSource(source, async function* (ctx, inner) {
    await cluster.beginCycle(ctx.signal);
    try {
      yield* inner.read(ctx);
    } finally {
      cluster.endCycle();
    }
  });
}
