export { aktoMappingComponent } from "./akto-mapping-component.js";
export { aktoMappingTransform, mapExecutionToAktoRecords } from "./akto-mapping-transform.js";
// AKTO_MAX_BODY_BYTES (defined in akto-record.ts) is exported through the HTTP sink.
export { AKTO_MAX_RECORD_BYTES, AKTO_MAX_STRING_CHARS, type AktoRecord } from "./akto-record.js";
export { agentHost, toDnsLabel, toolHost } from "./dns-host.js";
export { type FittedRecord, fitRecordToBytes, type PayloadField } from "./fit-record.js";
export { contentType, type MappedAktoRecord, mapExecution } from "./map-execution.js";
export {
  type AktoMappingConfig,
  AktoMappingConfigSchema,
  type AktoMappingOptions,
} from "./mapping-config.js";
export { resolveAktoMappingOptions } from "./resolve-options.js";
export { truncationMarker } from "./truncate.js";
