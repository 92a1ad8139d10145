export {
  type AktoIngestedRecord,
  type AktoIngestionEmulator,
  type AktoIngestionEmulatorOptions,
  startAktoIngestionEmulator,
} from "./emulator.js";
export { FaultController, type FaultSpec, type RecordMatcher } from "./faults.js";
export { AKTO_TRAFFIC_TOPIC, type KafkaForwardingOptions } from "./kafka-forwarder.js";
export type { RequestLogEntry, RequestStats } from "./request-stats.js";
export { sampleAktoRecord } from "./sample-record.js";
