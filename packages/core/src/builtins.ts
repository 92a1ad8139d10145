/** The built-in components (files, generator, memory/null/stdout sinks, function transforms), checkpoint stores and loggers. */
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
  type JsonlFsyncPolicy,
  type JsonlWriteMode,
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
export { createJsonLogger, type LogLevel } from "./logging/loggers.js";
