import type { ComponentDefinition } from "@pipekit/core";

/** Plugins are arbitrary modules, so what they export is checked by shape before it is registered. */
export function isComponentDefinition(value: unknown): value is ComponentDefinition {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    (v.kind === "source" || v.kind === "transform" || v.kind === "sink") &&
    typeof v.type === "string" &&
    typeof v.create === "function" &&
    typeof v.configSchema === "object" &&
    v.configSchema !== null
  );
}
