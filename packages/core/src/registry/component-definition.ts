import type { z } from "zod";
import type { CheckpointStore } from "../contracts/checkpoint.js";
import type { Logger } from "../contracts/context.js";
import type { Sink } from "../contracts/sink.js";
import type { Source } from "../contracts/source.js";
import type { Transform } from "../contracts/transform.js";
import type { SinkSettings } from "../pipeline/engine-settings.js";

export type ComponentKind = "source" | "transform" | "sink";

type ComponentOf<K extends ComponentKind> = K extends "source"
  ? Source
  : K extends "transform"
    ? Transform
    : Sink;

/** What a factory may use besides its own config. */
export interface ComponentDeps {
  readonly logger: Logger;
  /** Base directory for relative paths in config (the YAML file's folder). */
  readonly baseDir: string;
  readonly checkpointStore?: CheckpointStore;
  /**
   * Set when several instances share the work (a cluster): a source that splits its work into
   * partitions (its checkpoint keys, e.g. tables) reads only those this returns true for, asking
   * again on every pass because ownership can move between passes. Absent: read everything.
   */
  readonly partitionFilter?: (partition: string) => boolean;
}

/**
 * A component type as YAML and library users see it: a name, a zod schema for its config and a
 * factory. Fields listed in `secretFields` (config paths such as "clientSecret" or "auth.token") are
 * never echoed by `validate`, errors or logs.
 */
export interface ComponentDefinition<K extends ComponentKind = ComponentKind, C = unknown> {
  readonly kind: K;
  readonly type: string;
  readonly description: string;
  readonly configSchema: z.ZodType<C>;
  readonly secretFields?: readonly string[];
  /**
   * Sinks only: the engine settings this destination wants unless the pipeline file sets them
   * (e.g. Akto's 50 records per request). The file's `batch`/`retry`/`concurrency` fields override
   * these one by one; the engine's own defaults fill what neither sets.
   */
  readonly sinkDefaults?: SinkSettings;
  create(config: C, deps: ComponentDeps): ComponentOf<K> | Promise<ComponentOf<K>>;
}

/** Helper that keeps the config type inferred from the schema. */
export function defineComponent<K extends ComponentKind, S extends z.ZodType>(
  definition: Omit<ComponentDefinition<K, z.output<S>>, "configSchema"> & { configSchema: S },
): ComponentDefinition<K, z.output<S>> {
  return definition as ComponentDefinition<K, z.output<S>>;
}
