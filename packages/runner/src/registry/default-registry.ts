import { type ComponentDefinition, type ComponentKind, ComponentRegistry } from "@pipekit/core";

/** The workspace packages whose exported components are built in. */
const COMPONENT_PACKAGES = [
  "@pipekit/core",
  "@pipekit/redact",
  "@pipekit/source-databricks",
  "@pipekit/sink-akto",
  "@pipekit/sink-kafka",
] as const;

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
 * A registry holding every component the workspace packages export: any exported component
 * definition (or array of them, such as a `builtinComponents` list) is registered. Collecting them
 * by shape means a package that adds a component needs no change here; loading each package on its
 * own means one broken package (say, a Kafka client problem) does not stop pipelines that do not
 * use it. With `wanted` (the types one pipeline file uses), packages after the last one needed are
 * not loaded at all: a file → redact → file pipeline then never loads the Databricks driver or
 * kafkajs, about 40 MB of RSS it would carry for nothing.
 */
export async function createDefaultRegistry(wanted?: readonly WantedComponent[]): Promise<DefaultRegistry> {
  const registry = new ComponentRegistry();
  const unavailable: { pkg: string; error: string }[] = [];
  const seen = new Set<unknown>();
  for (const pkg of COMPONENT_PACKAGES) {
    if (wanted?.every((w) => registry.get(w.kind, w.type))) break;
    let module: Record<string, unknown>;
    try {
      module = (await import(pkg)) as Record<string, unknown>;
    } catch (error) {
      unavailable.push({ pkg, error: (error as Error).message });
      continue;
    }
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
  return { registry, unavailable };
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
