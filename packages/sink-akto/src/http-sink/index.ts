export { parseRetryAfter } from "@pipekit/core/advanced";
export { type AktoHttpSink, createAktoHttpSink } from "./akto-http-sink.js";
export { aktoHttpSinkComponent } from "./component.js";
export {
  AKTO_BATCH_DEFAULTS,
  AKTO_MAX_BODY_BYTES,
  type AktoHttpSinkConfig,
  aktoHttpSinkConfigSchema,
  type ResolvedAktoHttpSinkConfig,
} from "./config.js";
