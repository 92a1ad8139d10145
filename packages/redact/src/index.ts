export { components } from "./components.js";
export {
  DEFAULT_BLOCK_KEYS,
  DEFAULT_SKIP_PATHS,
  parseRedactConfig,
  type RedactConfig,
  type RedactConfigInput,
  type RedactionModeName,
  redactConfigSchema,
} from "./config/redact-config.js";
export type { Detector, Finding } from "./detectors/detector.js";
export { BLOCKED_KEY, type BuiltinDetectorId, DETECTOR_IDS, DETECTORS } from "./detectors/detector-ids.js";
export { createRedactor, type Redactor } from "./redactor/create-redactor.js";
export type { RedactionReport } from "./redactor/redaction-report.js";
export { isRedactionToken, type RedactionMode } from "./text/redaction-token.js";
export { redactComponent } from "./transform/redact-component.js";
export { REDACTIONS_METRIC, redactTransform } from "./transform/redact-transform.js";
