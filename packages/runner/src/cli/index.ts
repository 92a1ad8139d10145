// The entry binaries are built from (`@pipekit/runner/cli`): the commands, the process wrapper and
// the registry. Kept apart from the root entry, which also carries `runConfigTests` and with it
// jest-diff (~10 MB of RSS a long-running binary would hold for nothing).

export { MAX_TRANSFORM_WORKERS } from "../config/pipeline-config-schema.js";
export {
  BUILTIN_PACKAGES,
  type ComponentModule,
  type ComponentPackage,
} from "../registry/component-packages.js";
export {
  createDefaultRegistry,
  type DefaultRegistry,
  type WantedComponent,
} from "../registry/default-registry.js";
export { checkCron } from "../service/schedule.js";
// Every command and its options: commands.ts holds nothing else.
export * from "./commands.js";
export { isEntryScript, type ProcessRegistryOptions, runAsProcess } from "./run-as-process.js";
