import { ComponentRegistry } from "@pipekit/core";
import type { ComponentKind } from "@pipekit/core/advanced";
import { BUILTIN_PACKAGES, type ComponentPackage } from "./component-packages.js";

export { isComponentDefinition } from "./is-component-definition.js";

/** A component a pipeline file names: loading stops once every one of them is registered. */
export interface WantedComponent {
  readonly kind: ComponentKind;
  readonly type: string;
}

export interface DefaultRegistry {
  readonly registry: ComponentRegistry;
  /** Packages that failed to load: their components are missing, the others still work. */
  readonly unavailable: readonly { readonly pkg: string; readonly error: string }[];
}

/**
 * A registry holding the `components` list of each package. Loading each package on its own means
 * one broken package (say, a Kafka client problem) does not stop pipelines that do not use it. With
 * `wanted` (the types one pipeline file uses), packages after the last one needed are not loaded at
 * all: a file → redact → file pipeline then never loads the Databricks driver or kafkajs, about
 * 40 MB of RSS it would carry for nothing.
 */
export async function createDefaultRegistry(
  wanted?: readonly WantedComponent[],
  packages: readonly ComponentPackage[] = BUILTIN_PACKAGES,
): Promise<DefaultRegistry> {
  const registry = new ComponentRegistry();
  const unavailable: { pkg: string; error: string }[] = [];
  for (const pkg of packages) {
    if (wanted?.every((w) => registry.get(w.kind, w.type))) break;
    try {
      const { components } = await pkg.load();
      if (!Array.isArray(components)) throw new Error("its root entry exports no `components` list");
      // First package wins a type name, so an earlier package cannot be shadowed by a later one.
      for (const definition of components) {
        if (!registry.get(definition.kind, definition.type)) registry.register(definition);
      }
    } catch (error) {
      unavailable.push({ pkg: pkg.name, error: (error as Error).message });
    }
  }
  return { registry, unavailable };
}
