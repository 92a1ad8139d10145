/**
 * @pipekit/core: the contracts a component implements (Source, Transform, Sink, Message), the
 * errors that classify failures, the engine (Pipeline) and the component registry. Built-in
 * components live at `@pipekit/core/builtins`, engine settings and plugin-author details at
 * `@pipekit/core/advanced`, test doubles at `@pipekit/core/testing`.
 */
export type { CheckpointStore } from "./contracts/checkpoint.js";
export type { ComponentContext, Logger } from "./contracts/context.js";
export {
  createMessage,
  deriveEncodedMessage,
  deriveMessage,
  type EncodedValue,
  encodedJson,
  type Message,
  type MessageMeta,
} from "./contracts/message.js";
export type { Sink, WriteContext } from "./contracts/sink.js";
export type { Source, SourceChunk, SourceContext } from "./contracts/source.js";
export type { Transform } from "./contracts/transform.js";
export type { CycleReport } from "./engine/reports.js";
export { ConfigError, FatalError, PoisonError, RetryableError } from "./errors/classified-errors.js";
export { silentLogger } from "./logging/loggers.js";
export type { PipelineOptions } from "./pipeline/options.js";
export { Pipeline, runPipeline } from "./pipeline/pipeline.js";
export {
  type ComponentDefinition,
  type ComponentDeps,
  defineComponent,
} from "./registry/component-definition.js";
export { ComponentRegistry } from "./registry/component-registry.js";
export { parseConfig } from "./registry/config-problems.js";
