import type { KafkaCluster } from "@pipekit/cluster-kafka";
import type { CycleEngine } from "../build/engine.js";

/**
 * The engine with cluster membership around it: the instance joins the group (and reads the
 * checkpoints) before the pipeline opens, and leaves after it has drained and closed, so its shards
 * move to the others at once instead of after a session timeout.
 */
export function clusterEngine(engine: CycleEngine, cluster: KafkaCluster): CycleEngine {
  return {
    async open() {
      await cluster.start();
      await engine.open();
    },
    runCycle: (options) => engine.runCycle(options),
    stop: (options) => engine.stop(options),
    async close(options) {
      try {
        await engine.close(options);
      } finally {
        await cluster.stop();
      }
    },
  };
}
