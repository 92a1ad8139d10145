// Public entry of @pipekit/testkit-akto. Each area adds its own export lines here.

export * from "./audit/index.js";
export * from "./contract/index.js";
export * from "./ingestion-emulator/index.js";
