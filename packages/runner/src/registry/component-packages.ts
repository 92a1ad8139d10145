import type { ComponentDefinition } from "@pipekit/core";
import type { ComponentKind } from "@pipekit/core/advanced";

/** What a component package's root entry provides: the list of its component definitions. */
export interface ComponentModule {
  readonly components: readonly ComponentDefinition<ComponentKind, never>[];
}

/**
 * A package of components, loaded only when asked: importing a package is what costs memory (the
 * Databricks driver, kafkajs), so a registry imports them one by one and stops when it has enough.
 */
export interface ComponentPackage {
  readonly name: string;
  load(): Promise<ComponentModule>;
}

/**
 * The `pipeline` CLI's built-in packages. Literal specifiers, so `tsc` checks that each one exports
 * its `components`. Generic packages first: loading stops once every wanted type is registered.
 */
export const BUILTIN_PACKAGES: readonly ComponentPackage[] = [
  { name: "@pipekit/core", load: () => import("@pipekit/core/builtins") },
  { name: "@pipekit/redact", load: () => import("@pipekit/redact") },
  { name: "@pipekit/transform-jsonata", load: () => import("@pipekit/transform-jsonata") },
  { name: "@pipekit/source-databricks", load: () => import("@pipekit/source-databricks") },
  { name: "@pipekit/sink-akto", load: () => import("@pipekit/sink-akto") },
  { name: "@pipekit/sink-kafka", load: () => import("@pipekit/sink-kafka") },
];
