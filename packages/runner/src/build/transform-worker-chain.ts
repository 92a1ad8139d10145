/**
 * The transform chain of a pipeline file with `transformWorkers: N`, built inside each of core's
 * worker threads (`workerPoolTransform`): a registry like the main thread's (the default packages,
 * then the file's plugins), then every transform from its config. Only plain data comes in, so the
 * configs are parsed again here by the same schemas `prepareConfig` already checked them with.
 */
import { ComponentRegistry, silentLogger, type Transform } from "@pipekit/core";
import type { WorkerTransforms } from "@pipekit/core/advanced";
import { loadPlugins } from "../plugins/load-plugins.js";
import { createDefaultRegistry } from "../registry/default-registry.js";

/**
 * The id of the one stage a `transformWorkers` chain becomes: its transforms log, count and
 * dead-letter as `transforms/<transform id>`.
 */
export const TRANSFORM_POOL_ID = "transforms";

export interface TransformWorkerChainOptions {
  /** In pipeline order; `config` is the file's entry (interpolated) without its `type`. */
  readonly transforms: readonly { readonly id: string; readonly type: string; readonly config: unknown }[];
  /** The pipeline file's folder: plugins and relative paths in configs resolve against it. */
  readonly baseDir: string;
  /** The file's `plugins:` list, as written. */
  readonly plugins: readonly string[];
}

/** The worker's factory (core calls `createTransforms(options)` in every worker thread). */
export async function createTransforms(options: TransformWorkerChainOptions): Promise<WorkerTransforms> {
  const registry = await transformRegistry(options);
  // What build-pipeline gives a transform: a transform never gets the checkpoint store or the
  // cluster's partition filter, and logs through the ctx.logger core relays from this thread.
  const deps = { logger: silentLogger, baseDir: options.baseDir };
  const chain: { id: string; transform: Transform }[] = [];
  for (const [index, t] of options.transforms.entries()) {
    const config = registry.parse("transform", t.type, t.config, ["transforms", index]);
    const definition = registry.get("transform", t.type)!;
    chain.push({ id: t.id, transform: (await definition.create(config as never, deps)) as Transform });
  }
  return chain;
}

async function transformRegistry(options: TransformWorkerChainOptions): Promise<ComponentRegistry> {
  // Types the plugins bring are left out of `wanted`: otherwise the default registry, never
  // finding them in its packages, would load every package (the Databricks driver, kafkajs…)
  // into every worker thread. Plugins are imported once; the second import below is cached.
  const fromPlugins = new ComponentRegistry();
  await loadPlugins(options.plugins, options.baseDir, fromPlugins);
  const wanted = options.transforms
    .filter((t) => !fromPlugins.get("transform", t.type))
    .map((t) => ({ kind: "transform" as const, type: t.type }));
  // As the runner does on the main thread: the default packages first, then the file's plugins.
  const { registry, unavailable } = await createDefaultRegistry(wanted);
  const problems = await loadPlugins(options.plugins, options.baseDir, registry);
  const missing = options.transforms.filter((t) => !registry.get("transform", t.type));
  if (missing.length > 0) {
    const why = [
      ...problems.map((p) => `plugins[${p.index}]: ${p.message}`),
      ...unavailable.map((u) => `${u.pkg}: ${u.error}`),
    ];
    throw new Error(
      `transform type${missing.length === 1 ? "" : "s"} ${missing.map((t) => `"${t.type}" (${t.id})`).join(", ")} unknown in a transform worker thread${why.length > 0 ? `: ${why.join("; ")}` : " (a component registered on the main thread only, not by a built-in package or a plugin of the file, cannot run in transformWorkers)"}`,
    );
  }
  return registry;
}
