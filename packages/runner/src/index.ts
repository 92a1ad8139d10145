// Layers, each usable alone: config loading → validation → building a Pipeline → running it as a service.
// Binaries import the leaner `@pipekit/runner/cli` entry instead (see src/cli/index.ts).

export { type BuildDeps, type BuiltPipeline, buildPipeline } from "./build/build-pipeline.js";
export type { CycleEngine, CycleSummary, DrainSummary } from "./build/engine.js";
export * from "./cli/index.js";
export { pipelineProgram } from "./cli/pipeline.js";
export { ConfigFileError, type ConfigIssue, formatIssue } from "./config/config-issue.js";
export { pipelineJsonSchema } from "./config/json-schema.js";
export { type LoadedConfigFile, loadConfigFile } from "./config/load-config-file.js";
export {
  type ComponentEntry,
  type ConfigTest,
  type PipelineConfig,
  pipelineConfigSchema,
  type SinkEntry,
} from "./config/pipeline-config-schema.js";
export { MASK, SecretScrubber } from "./config/secret-scrubber.js";
export {
  type PrepareOptions,
  prepareConfig,
  type ResolvedComponent,
  type ResolvedSink,
  type ValidatedPipeline,
  type ValidationResult,
} from "./config/validate-config.js";
export { loadPlugins } from "./plugins/load-plugins.js";
export { ProgressDisplay, renderSummary } from "./progress/progress-display.js";
export { ProgressTracker } from "./progress/progress-tracker.js";
export { isComponentDefinition } from "./registry/default-registry.js";
export { HttpEndpoints, type Readiness } from "./service/http-server.js";
export { createRunnerLogger, type RunnerLoggerOptions } from "./service/logger.js";
export { createRunnerMetrics, type RunnerMetrics } from "./service/metrics.js";
export {
  PipelineService,
  type PipelineServiceOptions,
  type ServiceOutcome,
} from "./service/pipeline-service.js";
export { CycleScheduler, type Schedule, toSchedule } from "./service/schedule.js";
export { installSignalHandlers } from "./service/signals.js";
export { type ConfigTestResult, runConfigTests } from "./testing/run-config-tests.js";
