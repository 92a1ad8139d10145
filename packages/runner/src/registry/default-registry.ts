import * as core from "@pipekit/core";
import { type ComponentDefinition, type ComponentKind, ComponentRegistry } from "@pipekit/core";
import * as redact from "@pipekit/redact";
import * as sinkAkto from "@pipekit/sink-akto";
import * as sinkKafka from "@pipekit/sink-kafka";
import * as sourceDatabricks from "@pipekit/source-databricks";

/**
 * A registry holding every component the workspace packages export: any exported component
 * definition (or array of them, such as a `builtinComponents` list) is registered. Collecting them
 * by shape means a package that adds a component needs no change here.
 */
export function createDefaultRegistry(): ComponentRegistry {
  const registry = new ComponentRegistry();
  const seen = new Set<unknown>();
  for (const module of [core, redact, sourceDatabricks, sinkAkto, sinkKafka] as Record<string, unknown>[]) {
    for (const exported of Object.values(module)) {
      for (const candidate of Array.isArray(exported) ? exported : [exported]) {
        if (!isComponentDefinition(candidate) || seen.has(candidate)) continue;
        seen.add(candidate);
        if (!registry.get(candidate.kind, candidate.type)) {
          registry.register(candidate as ComponentDefinition<ComponentKind, never>);
        }
      }
    }
  }
  return registry;
}

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
