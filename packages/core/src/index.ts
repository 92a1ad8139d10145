export type { CheckpointStore, CheckpointView } from "./contracts/checkpoint.js";
export type { ComponentContext, HealthStatus, Logger } from "./contracts/context.js";
export {
  createMessage,
  deriveMessage,
  estimateSize,
  type Message,
  type MessageMeta,
} from "./contracts/message.js";
export type { PartialFailure, Sink, WriteContext } from "./contracts/sink.js";
export type { Source, SourceChunk, SourceContext } from "./contracts/source.js";
export type { Transform, TransformResult } from "./contracts/transform.js";
export {
  ConfigError,
  type ErrorClass,
  FatalError,
  PoisonError,
  RetryableError,
} from "./errors/classified-errors.js";
export {
  type ComponentDefinition,
  type ComponentDeps,
  type ComponentKind,
  defineComponent,
} from "./registry/component-definition.js";
export { ComponentRegistry, formatPath } from "./registry/component-registry.js";
