import type { z } from "zod";
import { ConfigError } from "../errors/classified-errors.js";
import type { ComponentDefinition, ComponentDeps, ComponentKind } from "./component-definition.js";

/**
 * Type name → definition, per kind. YAML pipelines, the databricks-shield binary and library users
 * all build components through here, so they get the same validation and the same error messages.
 */
export class ComponentRegistry {
  private readonly byKind = new Map<ComponentKind, Map<string, ComponentDefinition>>();

  register<K extends ComponentKind, C>(definition: ComponentDefinition<K, C>): this {
    const kind = this.kindMap(definition.kind);
    if (kind.has(definition.type)) {
      throw new ConfigError(`A ${definition.kind} of type "${definition.type}" is already registered`);
    }
    kind.set(definition.type, definition as unknown as ComponentDefinition);
    return this;
  }

  get(kind: ComponentKind, type: string): ComponentDefinition | undefined {
    return this.byKind.get(kind)?.get(type);
  }

  list(kind?: ComponentKind): ComponentDefinition[] {
    const kinds = kind ? [kind] : ([...this.byKind.keys()] as ComponentKind[]);
    return kinds.flatMap((k) => [...(this.byKind.get(k)?.values() ?? [])]);
  }

  /**
   * Validate `config` against the type's schema. `path` is where this component sits in the whole
   * config (e.g. ["pipeline", "transforms", 1]) so errors can point at it.
   */
  parse(
    kind: ComponentKind,
    type: string,
    config: unknown,
    path: readonly (string | number)[] = [],
  ): unknown {
    const definition = this.get(kind, type);
    if (!definition) {
      const known = [...(this.byKind.get(kind)?.keys() ?? [])].sort();
      throw new ConfigError(
        `Unknown ${kind} type "${type}" at ${formatPath([...path, "type"])}; known ${kind} types: ${known.join(", ") || "none"}`,
        [{ path: [...path, "type"], message: `unknown ${kind} type "${type}"` }],
      );
    }
    const result = (definition.configSchema as z.ZodType).safeParse(config ?? {});
    if (!result.success) {
      const issues = result.error.issues.map((issue) => ({
        path: [...path, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
        message: issue.message,
      }));
      const lines = issues.map((i) => `  ${formatPath(i.path)}: ${i.message}`).join("\n");
      throw new ConfigError(`Invalid config for ${kind} "${type}":\n${lines}`, issues);
    }
    return result.data;
  }

  async create(
    kind: ComponentKind,
    type: string,
    config: unknown,
    deps: ComponentDeps,
    path: readonly (string | number)[] = [],
  ): Promise<unknown> {
    const parsed = this.parse(kind, type, config, path);
    return this.get(kind, type)!.create(parsed as never, deps);
  }

  private kindMap(kind: ComponentKind): Map<string, ComponentDefinition> {
    let map = this.byKind.get(kind);
    if (!map) {
      map = new Map();
      this.byKind.set(kind, map);
    }
    return map;
  }
}

/** `pipeline.transforms[1].type` style rendering of a config path. */
export function formatPath(path: readonly (string | number)[]): string {
  return (
    path.reduce<string>((out, p) => (typeof p === "number" ? `${out}[${p}]` : out ? `${out}.${p}` : p), "") ||
    "(root)"
  );
}
