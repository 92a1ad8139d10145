import type { Source, SourceChunk, SourceContext } from "@pipekit/core";
import type { KafkaCluster } from "./kafka-cluster.js";

/**
 * Wraps a source (built with `partitionFilter: cluster.partitionFilter`) so each pass first waits
 * for a stable shard assignment and ends with the cluster's per-cycle report. The cluster's own
 * health is `cluster.health()`.
 */
export function clusterSource<T>(source: Source<T>, cluster: KafkaCluster): Source<T> {
  return {
    type: source.type,
    ...(source.open ? { open: (ctx: SourceContext) => source.open!(ctx) } : {}),
    read(ctx: SourceContext): AsyncIterable<SourceChunk<T>> {
      return (async function* () {
        await cluster.beginCycle(ctx.signal);
        try {
          yield* source.read(ctx);
        } finally {
          cluster.endCycle();
        }
      })();
    },
    ...(source.health ? { health: () => source.health!() } : {}),
    ...(source.close ? { close: () => source.close!() } : {}),
  };
}
