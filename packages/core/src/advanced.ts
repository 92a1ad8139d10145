/** Engine settings, reports, checkpoint and retry details: what plugin authors and embedders need beyond the root contracts. */
export {
  type CheckpointView,
  type CheckpointWrites,
  checkpointKeyOwner,
  type IncrementalPosition,
  isIncrementalPosition,
} from "./contracts/checkpoint.js";
export type { HealthStatus } from "./contracts/context.js";
export { estimateSize, type FittedValue, messageJson } from "./contracts/message.js";
export type { PartialFailure } from "./contracts/sink.js";
export type { TransformResult } from "./contracts/transform.js";
export { wrapSink, wrapSource } from "./contracts/wrap.js";
export { classifyError } from "./engine/batch-writer.js";
export type { CommitPolicy, CommitStats } from "./engine/checkpoint-committer.js";
export type { CycleOptions } from "./engine/cycle-setup.js";
export type { DeadLetterRecord, FailureStage } from "./engine/dead-letters.js";
export { type Budget, defaultBudget } from "./engine/in-flight-budget.js";
export type { ErrorSummary, StopReport } from "./engine/reports.js";
export { type BatchPolicy, defaultBatchPolicy } from "./engine/sink-runner.js";
export type { ErrorClass } from "./errors/classified-errors.js";
export {
  type BatchSettings,
  type BudgetSettings,
  batchSettingsSchema,
  budgetSettingsSchema,
  type CheckpointSettings,
  checkpointSettingsSchema,
  type RetrySettings,
  retrySettingsSchema,
  type SinkSettings,
  sinkSettingsSchema,
} from "./pipeline/engine-settings.js";
export type { NamedTransform, SinkOptions } from "./pipeline/options.js";
export { DEFAULT_DEAD_LETTER_PATH } from "./pipeline/pipeline.js";
export type { ComponentKind } from "./registry/component-definition.js";
export { formatPath } from "./registry/component-registry.js";
export { type ConfigProblem, checkConfig, valueAt } from "./registry/config-problems.js";
export { backoffDelay, defaultRetryPolicy, type RetryPolicy } from "./retry/backoff.js";
export { parseRetryAfter } from "./retry/retry-after.js";
export {
  createInstruments,
  type InstrumentKind,
  type InstrumentSpec,
  type Instruments,
} from "./telemetry/instruments.js";
export type { ComponentAttributes } from "./telemetry/pipeline-metrics.js";
export {
  defineEncodedKind,
  type EncodedKind,
  type EncodedReviver,
  withEncodedKind,
} from "./workers/encoded-kinds.js";
export type { WorkerTransforms } from "./workers/transform-worker-types.js";
export {
  type WorkerPoolTransform,
  type WorkerPoolTransformOptions,
  workerPoolTransform,
} from "./workers/worker-pool-transform.js";
