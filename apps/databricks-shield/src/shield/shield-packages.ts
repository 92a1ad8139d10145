import type { ComponentPackage } from "@pipekit/runner/cli";

/**
 * The component packages the generated pipeline can name (the jsonl_file copy comes from core).
 * Each loads on its own, so a broken Kafka client still leaves an Akto-only setup working.
 */
export const SHIELD_PACKAGES: readonly ComponentPackage[] = [
  { name: "@pipekit/core", load: () => import("@pipekit/core/builtins") },
  { name: "@pipekit/redact", load: () => import("@pipekit/redact") },
  { name: "@pipekit/source-databricks", load: () => import("@pipekit/source-databricks") },
  { name: "@pipekit/sink-akto", load: () => import("@pipekit/sink-akto") },
  { name: "@pipekit/sink-kafka", load: () => import("@pipekit/sink-kafka") },
];
