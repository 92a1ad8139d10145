import type { ComponentDefinition, ComponentRegistry } from "@pipekit/core";
import {
  type ComponentKind,
  type ConfigProblem,
  checkConfig,
  type SinkSettings,
  valueAt,
} from "@pipekit/core/advanced";
import { CLUSTER_SECRET_FIELDS } from "../cluster/cluster-config.js";
import { loadPlugins } from "../plugins/load-plugins.js";
import { checkCron } from "../service/schedule.js";
import { withCamelCaseHint } from "./camel-case-hint.js";
import type { ConfigIssue } from "./config-issue.js";
import { type LoadedConfigFile, loadConfigFile } from "./load-config-file.js";
import {
  type PipelineConfig,
  pipelineConfigSchema,
  SINK_ENGINE_KEYS,
  type SinkEntry,
} from "./pipeline-config-schema.js";
import { withQuoteHint } from "./reserved-word-hint.js";
import { SecretScrubber } from "./secret-scrubber.js";
import type { ConfigPath } from "./yaml-positions.js";

/** A component entry checked against its registered schema. */
export interface ResolvedComponent<K extends ComponentKind = ComponentKind> {
  /** "source", "transforms[1]" or the sink's id. */
  readonly id: string;
  readonly kind: K;
  readonly type: string;
  readonly definition: ComponentDefinition<K>;
  /** The component's own config, parsed by its schema (defaults applied). */
  readonly config: unknown;
  readonly path: ConfigPath;
}

export interface ResolvedSink extends ResolvedComponent<"sink"> {
  /** The engine settings of this sink in core's names: the file's, over the component's defaults. */
  readonly settings: SinkSettings;
}

/** Everything needed to build and run the pipeline, all checks passed. */
export interface ValidatedPipeline {
  readonly file: string;
  readonly baseDir: string;
  readonly config: PipelineConfig;
  readonly source: ResolvedComponent<"source">;
  readonly transforms: readonly ResolvedComponent<"transform">[];
  readonly sinks: readonly ResolvedSink[];
  readonly secrets: SecretScrubber;
}

export interface ValidationResult {
  readonly pipeline?: ValidatedPipeline;
  /** Sorted by position; messages already scrubbed of secrets. */
  readonly issues: readonly ConfigIssue[];
  readonly secrets: SecretScrubber;
  readonly loaded: LoadedConfigFile;
}

export interface PrepareOptions {
  readonly registry: ComponentRegistry;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Load → interpolate → load plugins → check the runner's keys and every component's config.
 * Collects every problem rather than stopping at the first, so one `validate` run shows them all.
 */
export async function prepareConfig(file: string, options: PrepareOptions): Promise<ValidationResult> {
  const loaded = loadConfigFile(file, options.env ?? process.env);
  const secrets = new SecretScrubber();
  for (const path of loaded.secretPaths) secrets.addPath(path);
  for (const value of loaded.secretValues) secrets.addValue(value);
  const issues: ConfigIssue[] = [...loaded.issues];
  // A value whose reference could not be resolved is already reported; its schema errors would be noise.
  const unresolved = new Set(
    loaded.issues.filter((i) => i.path.length > 0).map((i) => JSON.stringify(i.path)),
  );
  const issueAt = (path: ConfigPath, message: string, at: "key" | "value" = "value"): void => {
    if (unresolved.has(JSON.stringify(path))) return;
    const { line, column } = at === "key" ? loaded.positions.keyAt(path) : loaded.positions.valueAt(path);
    issues.push({
      file,
      path,
      line,
      column,
      message: withQuoteHint(message, path, loaded.positions, secrets.isSecretPath(path)),
    });
  };
  const finish = (pipeline?: ValidatedPipeline): ValidationResult => ({
    issues: issues
      .map((i) => ({ ...i, message: secrets.scrubText(i.message) }))
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)),
    secrets,
    loaded,
    ...(pipeline && issues.length === 0 ? { pipeline } : {}),
  });
  if (loaded.data === undefined && issues.length > 0) return finish();
  const data = loaded.data;
  if (!isPlainObject(data)) {
    issueAt(
      [],
      `expected a mapping with id, source, sinks…; found ${Array.isArray(data) ? "a list" : typeof data}`,
    );
    return finish();
  }

  // Plugins first: they may define the very component types the rest of the file uses.
  if (Array.isArray(data.plugins) && data.plugins.every((p) => typeof p === "string")) {
    for (const problem of await loadPlugins(data.plugins as string[], loaded.baseDir, options.registry)) {
      issueAt(["plugins", problem.index], problem.message);
    }
  }

  const report = (problems: readonly ConfigProblem[]): void => {
    for (const p of problems) issueAt(p.path, withCamelCaseHint(p), p.at);
  };
  const isSecret = (path: readonly (string | number)[]) => secrets.isSecretPath(path);

  /** Values at `fields` under `path` are secrets: masked by path, and by value wherever they turn up. */
  const addSecretFields = (path: ConfigPath, value: unknown, fields: readonly string[]): void => {
    for (const field of fields) {
      secrets.addPath([...path, ...field.split(".")]);
      secrets.addValue(valueAt(value, field.split(".")));
    }
  };
  // The cluster's Kafka credentials are secrets like a component's secretFields.
  addSecretFields(["cluster"], data.cluster, CLUSTER_SECRET_FIELDS);
  const top = checkConfig(pipelineConfigSchema, data, [], { isSecret });
  report(top.problems);
  const settings = top.data as PipelineConfig | undefined;
  if (settings?.cluster && settings.checkpoints?.path) {
    issueAt(
      ["checkpoints", "path"],
      "checkpoints.path cannot be used with cluster: a cluster keeps checkpoints in its Kafka topic (cluster.checkpointTopic) so any instance can take over any table",
      "key",
    );
  }
  if (settings?.schedule.cron !== undefined) {
    try {
      checkCron(settings.schedule.cron);
    } catch (error) {
      issueAt(
        ["schedule", "cron"],
        `invalid cron expression: ${(error as Error).message} (6 fields with seconds first, e.g. "0 */5 * * * *")`,
      );
    }
  }

  const resolve = <K extends ComponentKind>(
    kind: K,
    entry: unknown,
    path: ConfigPath,
    id: string,
    reserved: readonly string[],
  ): ResolvedComponent<K> | undefined => {
    if (!isPlainObject(entry) || typeof entry.type !== "string") return undefined; // reported above
    const definition = options.registry.get(kind, entry.type) as ComponentDefinition<K> | undefined;
    addSecretFields(path, entry, definition?.secretFields ?? []);
    const checked = options.registry.check(kind, entry.type, entry, path, { ignoreKeys: reserved, isSecret });
    report(checked.problems);
    if (!definition || checked.problems.length > 0) return undefined;
    return { id, kind, type: entry.type, definition, config: checked.config, path };
  };

  const source = resolve("source", data.source, ["source"], "source", ["type"]);
  const transforms = (Array.isArray(data.transforms) ? data.transforms : []).map((entry, i) =>
    resolve("transform", entry, ["transforms", i], `transforms[${i}]`, ["type"]),
  );
  const sinkEntries = Array.isArray(data.sinks) ? data.sinks : [];
  const sinkIds = sinkIdsOf(sinkEntries);
  const seen = new Map<string, number>();
  const sinks = sinkEntries.map((entry, i): ResolvedSink | undefined => {
    const id = sinkIds[i] as string;
    if (seen.has(id)) issueAt(["sinks", i, "id"], `duplicate sink id "${id}" (also sinks[${seen.get(id)}])`);
    seen.set(id, i);
    const resolved = resolve("sink", entry, ["sinks", i], id, SINK_ENGINE_KEYS);
    if (!resolved || !isPlainObject(entry)) return undefined;
    return { ...resolved, settings: sinkSettings(entry as SinkEntry, resolved.definition.sinkDefaults) };
  });

  if (!settings || !source || transforms.some((t) => !t) || sinks.some((s) => !s) || issues.length > 0) {
    return finish();
  }
  return finish({
    file,
    baseDir: loaded.baseDir,
    config: settings,
    source,
    transforms: transforms as ResolvedComponent<"transform">[],
    sinks: sinks as ResolvedSink[],
    secrets,
  });
}

/** The file's batch/retry/concurrency, each field over the component's default. */
function sinkSettings(entry: SinkEntry, defaults: SinkSettings = {}): SinkSettings {
  const batch = { ...defaults.batch, ...entry.batch };
  const retry = { ...defaults.retry, ...entry.retry };
  const concurrency = entry.concurrency ?? defaults.concurrency;
  return {
    ...(Object.keys(batch).length > 0 ? { batch } : {}),
    ...(Object.keys(retry).length > 0 ? { retry } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
  };
}

/** A sink's id: its `id`, else its type when that is unique, else `type_index`. */
function sinkIdsOf(entries: readonly unknown[]): string[] {
  const types = entries.map((e) => (isPlainObject(e) && typeof e.type === "string" ? e.type : "sink"));
  return entries.map((e, i) => {
    if (isPlainObject(e) && typeof e.id === "string") return e.id;
    const type = types[i] as string;
    return types.filter((t) => t === type).length === 1 ? type : `${type}_${i}`;
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
