/**
 * The e2e pipeline's transforms (redact → akto_mapping) as a worker-pool module: with
 * BENCH_E2E_TRANSFORM_WORKERS=N the e2e child runs them in N worker threads (core's
 * workerPoolTransform), each of which builds them with this function.
 */
import type { WorkerTransforms } from "@pipekit/core/advanced";
import { redactTransform } from "@pipekit/redact";
import { aktoMappingTransform } from "@pipekit/sink-akto/mapping";

export function createTransforms(): WorkerTransforms {
  return [
    { id: "redact", transform: redactTransform() },
    { id: "akto_mapping", transform: aktoMappingTransform() },
  ];
}
