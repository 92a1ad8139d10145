import type { z } from "zod";
import { ConfigError } from "../errors/classified-errors.js";
import type { ComponentDefinition, ComponentDeps, ComponentKind } from "./component-definition.js";
import {
  type CheckOptions,
  type ConfigPath,
  type ConfigProblem,
  checkConfig,
  configError,
  formatPath,
  suggest,
} from "./config-problems.js";

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
   * The problems of `config` for this type (an unknown type with the closest known one, unknown keys
   * at every depth, schema errors), each at its path under `path` — where this component sits in
   * the whole config, e.g. ["transforms", 1] — and the parsed config when there are none. The only
   * judge of component config: `pipeline validate`, the runner and library users all come here.
   */
  check(
    kind: ComponentKind,
    type: string,
    config: unknown,
    path: ConfigPath = [],
    options: CheckOptions = {},
  ): { readonly config?: unknown; readonly problems: readonly ConfigProblem[] } {
    const definition = this.get(kind, type);
    if (!definition) {
      const known = [...(this.byKind.get(kind)?.keys() ?? [])].sort();
      const guess = suggest(type, known);
      const message = `unknown ${kind} type "${type}"${guess ? `; did you mean "${guess}"?` : ""} (known ${kind} types: ${known.join(", ") || "none"})`;
      return { problems: [{ path: [...path, "type"], message, at: "value" }] };
    }
    const { data, problems } = checkConfig(definition.configSchema as z.ZodType, config ?? {}, path, {
      ...options,
      secretFields: [...(definition.secretFields ?? []), ...(options.secretFields ?? [])],
    });
    return problems.length === 0 ? { config: data, problems } : { problems };
  }

  /** `check`, throwing a ConfigError that lists every problem; the parsed config otherwise. */
  parse(kind: ComponentKind, type: string, config: unknown, path: ConfigPath = []): unknown {
    const { config: parsed, problems } = this.check(kind, type, config, path);
    if (problems.length === 0) return parsed;
    throw configError(
      this.get(kind, type) ? `config for ${kind} "${type}"` : `${kind} type "${type}"`,
      problems,
    );
  }

  async create(
    kind: ComponentKind,
    type: string,
    config: unknown,
    deps: ComponentDeps,
    path: ConfigPath = [],
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

export { formatPath };
