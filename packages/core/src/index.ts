export { FileCheckpointStore, type FileCheckpointStoreOptions } from "./checkpoint/file-checkpoint-store.js";
export { MemoryCheckpointStore } from "./checkpoint/memory-checkpoint-store.js";
export {
  builtinComponents,
  builtinComponents as components,
  registerBuiltins,
} from "./components/builtins.js";
export { filterTransform, functionTransform, mapTransform } from "./components/function-transforms.js";
export {
  type GeneratedValue,
  GenerateSource,
  type GenerateSourceOptions,
  generateSourceComponent,
} from "./components/generate-source.js";
export {
  JsonlFileSink,
  type JsonlFileSinkOptions,
  jsonlFileSinkComponent,
} from "./components/jsonl-file-sink.js";
export {
  JsonlFileSource,
  type JsonlFileSourceOptions,
  jsonlFileSourceComponent,
} from "./components/jsonl-file-source.js";
export {
  MemorySink,
  memorySinkComponent,
  NullSink,
  nullSinkComponent,
  StdoutSink,
  stdoutSinkComponent,
} from "./components/simple-sinks.js";
export {
  type CheckpointStore,
  type CheckpointView,
  type CheckpointWrites,
  checkpointKeyOwner,
  type IncrementalPosition,
  isIncrementalPosition,
} from "./contracts/checkpoint.js";
export type { ComponentContext, HealthStatus, Logger } from "./contracts/context.js";
export {
  createMessage,
  deriveEncodedMessage,
  deriveMessage,
  type EncodedValue,
  encodedJson,
  estimateSize,
  type FittedValue,
  type Message,
  type MessageMeta,
  messageJson,
} from "./contracts/message.js";
export type { PartialFailure, Sink, WriteContext } from "./contracts/sink.js";
export type { Source, SourceChunk, SourceContext } from "./contracts/source.js";
export type { Transform, TransformResult } from "./contracts/transform.js";
export { classifyError } from "./engine/batch-writer.js";
export type { CommitPolicy, CommitStats } from "./engine/checkpoint-committer.js";
export type { CycleOptions } from "./engine/cycle-setup.js";
export type { DeadLetterRecord, FailureStage } from "./engine/dead-letters.js";
export { type Budget, defaultBudget } from "./engine/in-flight-budget.js";
export type { CycleReport, ErrorSummary, StopReport } from "./engine/reports.js";
export { type BatchPolicy, defaultBatchPolicy } from "./engine/sink-runner.js";
export {
  ConfigError,
  type ErrorClass,
  FatalError,
  PoisonError,
  RetryableError,
} from "./errors/classified-errors.js";
export { createJsonLogger, type LogLevel, silentLogger } from "./logging/loggers.js";
export type { NamedTransform, PipelineOptions, SinkOptions } from "./pipeline/options.js";
export { DEFAULT_DEAD_LETTER_PATH, Pipeline, runPipeline } from "./pipeline/pipeline.js";
export {
  type ComponentDefinition,
  type ComponentDeps,
  type ComponentKind,
  defineComponent,
} from "./registry/component-definition.js";
export { ComponentRegistry, formatPath } from "./registry/component-registry.js";
export { type ConfigProblem, checkConfig, parseConfig } from "./registry/config-problems.js";
export { backoffDelay, defaultRetryPolicy, type RetryPolicy } from "./retry/backoff.js";
export type { ComponentAttributes } from "./telemetry/pipeline-metrics.js";
