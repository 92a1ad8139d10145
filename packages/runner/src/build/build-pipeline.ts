import { resolve } from "node:path";
import type { MeterProvider } from "@opentelemetry/api";
import type { KafkaCluster } from "@pipekit/cluster-kafka";
import type { CheckpointStore, Logger, Sink, Source, Transform } from "@pipekit/core";
import { type HealthStatus, workerPoolTransform } from "@pipekit/core/advanced";
import { clusterEngine } from "../cluster/cluster-engine.js";
import type { ComponentEntry } from "../config/pipeline-config-schema.js";
import type { ValidatedPipeline } from "../config/validate-config.js";
import type { ProgressTracker } from "../progress/progress-tracker.js";
import type { Readiness } from "../service/http-server.js";
import { type CycleEngine, createEngine, createFileCheckpointStore, type EngineOptions } from "./engine.js";
import { TRANSFORM_POOL_ID, type TransformWorkerChainOptions } from "./transform-worker-chain.js";

export interface BuildDeps {
  readonly logger: Logger;
  readonly meterProvider?: MeterProvider;
  /** When given, the source and sinks are wrapped so it sees rows read and sent per partition. */
  readonly progress?: ProgressTracker;
}

export interface BuiltPipeline {
  readonly engine: CycleEngine;
  /** Health of the source and of every sink, for `/readyz`. */
  readonly readiness: Readiness;
  readonly checkpointPath: string | undefined;
  /** Set when the config has a `cluster:` block: this instance's membership (status, health). */
  readonly cluster?: KafkaCluster;
  /** The source's own figures about its last pass, for the per-cycle summary log. */
  readonly cycleSummary: () => Readonly<Record<string, number>>;
}

/** Validated config → components from the registry → core's Pipeline (not yet opened). */
export async function buildPipeline(pipeline: ValidatedPipeline, deps: BuildDeps): Promise<BuiltPipeline> {
  const { config, baseDir } = pipeline;
  const checkpointPath = config.checkpoints?.path ? resolve(baseDir, config.checkpoints.path) : undefined;
  // In a cluster, Kafka assigns the tables and holds the checkpoints (see @pipekit/cluster-kafka).
  // Loaded only for a cluster config: kafkajs and the cluster code are ~20 MB of a small pipeline's RSS.
  const clusterKafka = config.cluster ? await import("@pipekit/cluster-kafka") : undefined;
  const cluster = config.cluster
    ? (await import("../cluster/runner-cluster.js")).createRunnerCluster(config.cluster, deps)
    : undefined;
  const checkpointStore: CheckpointStore | undefined =
    cluster?.checkpointStore ?? (checkpointPath ? createFileCheckpointStore(checkpointPath) : undefined);
  const componentDeps = {
    logger: deps.logger,
    baseDir,
    ...(checkpointStore ? { checkpointStore } : {}),
    ...(cluster ? { partitionFilter: cluster.partitionFilter } : {}),
  };

  let source = (await pipeline.source.definition.create(
    pipeline.source.config as never,
    componentDeps,
  )) as Source;
  const transforms: { id: string; transform: Transform }[] = [];
  if ((config.transformWorkers ?? 0) >= 1 && pipeline.transforms.length > 0) {
    transforms.push({ id: TRANSFORM_POOL_ID, transform: transformWorkerPool(pipeline) });
  } else {
    for (const t of pipeline.transforms) {
      transforms.push({
        id: t.id,
        transform: (await t.definition.create(t.config as never, componentDeps)) as Transform,
      });
    }
  }
  const sinks: EngineOptions["sinks"][number][] = [];
  for (const s of pipeline.sinks) {
    let sink = (await s.definition.create(s.config as never, componentDeps)) as Sink;
    if (deps.progress) sink = deps.progress.wrapSink(s.id, sink);
    sinks.push({ id: s.id, sink, ...s.settings });
  }
  if (cluster && clusterKafka) source = clusterKafka.clusterSource(source, cluster);
  if (deps.progress) source = deps.progress.wrapSource(source);
  // The wrappers forward cycleSummary (core's wrapSource), so the outermost source answers for all.
  const wrapped = source;
  const cycleSummary = (): Readonly<Record<string, number>> => wrapped.cycleSummary?.() ?? {};

  const pipelineEngine = createEngine({
    id: config.id,
    source,
    transforms,
    sinks,
    deadLetter: resolve(baseDir, config.deadLetter?.path ?? "./dead-letters.jsonl"),
    ...(checkpointStore ? { checkpointStore } : {}),
    ...(config.checkpoints?.flushIntervalMs !== undefined
      ? { checkpoint: { flushIntervalMs: config.checkpoints.flushIntervalMs } }
      : {}),
    ...(config.budget ? { budget: config.budget } : {}),
    logger: deps.logger,
    ...(deps.meterProvider ? { meterProvider: deps.meterProvider } : {}),
  });

  const engine = cluster ? clusterEngine(pipelineEngine, cluster) : pipelineEngine;

  const readiness: Readiness = async () => {
    const checks: [string, { health?(): Promise<HealthStatus> }][] = [
      ...(cluster ? [clusterCheck(cluster)] : []),
      ["source", source],
      ...sinks.map((s) => [s.id, s.sink] as [string, Sink]),
    ];
    const results = await Promise.all(
      checks.map(async ([id, component]): Promise<[string, HealthStatus]> => {
        try {
          return [id, component.health ? await component.health() : { ok: true, detail: "no health check" }];
        } catch (error) {
          return [id, { ok: false, detail: (error as Error).message }];
        }
      }),
    );
    return Object.fromEntries(results);
  };
  return { ...(cluster ? { cluster } : {}), engine, readiness, checkpointPath, cycleSummary };
}

/**
 * `transformWorkers: N`: the whole chain as one transform (id "transforms") that runs it in N worker
 * threads. Each thread builds the chain again from plain data (transform-worker-chain.ts): the
 * file's entries as interpolated (a parsed config may hold values that cannot cross threads, and
 * the worker's registry parses them with the same schemas), its folder and its plugins.
 */
function transformWorkerPool(pipeline: ValidatedPipeline): Transform {
  const { config, baseDir } = pipeline;
  const options: TransformWorkerChainOptions = {
    transforms: pipeline.transforms.map((t, index) => {
      const { type: _type, ...entry } = config.transforms[index] as ComponentEntry;
      return { id: t.id, type: t.type, config: entry };
    }),
    baseDir,
    plugins: config.plugins,
  };
  return workerPoolTransform({
    module: new URL(`./transform-worker-chain${FROM_SOURCES ? ".ts" : ".js"}`, import.meta.url),
    options,
    threads: config.transformWorkers,
  });
}

/** Run from the TypeScript sources (tests): core's pool then registers tsx in each worker itself. */
const FROM_SOURCES = import.meta.url.endsWith(".ts");

/** The cluster's membership as a readiness check (owned shards and state in its detail). */
function clusterCheck(cluster: KafkaCluster): [string, { health(): Promise<HealthStatus> }] {
  return ["cluster", { health: async () => cluster.health() }];
}
