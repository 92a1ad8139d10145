import type { ComponentDefinition, ComponentKind } from "../registry/component-definition.js";
import type { ComponentRegistry } from "../registry/component-registry.js";
import { generateSourceComponent } from "./generate-source.js";
import { jsonlFileSinkComponent } from "./jsonl-file-sink.js";
import { jsonlFileSourceComponent } from "./jsonl-file-source.js";
import { memorySinkComponent, nullSinkComponent, stdoutSinkComponent } from "./simple-sinks.js";

/** The generic components of @pipekit/core, by type name. */
export const builtinComponents: readonly ComponentDefinition<ComponentKind, never>[] = [
  generateSourceComponent,
  jsonlFileSourceComponent,
  jsonlFileSinkComponent,
  stdoutSinkComponent,
  nullSinkComponent,
  memorySinkComponent,
] as unknown as ComponentDefinition<ComponentKind, never>[];

export function registerBuiltins(registry: ComponentRegistry): ComponentRegistry {
  for (const definition of builtinComponents) registry.register(definition);
  return registry;
}
