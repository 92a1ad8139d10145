export {
  AKTO_MAX_BODY_BYTES,
  AKTO_MAX_STRING_CHARS,
  AKTO_SOURCES,
  AKTO_STRING_FIELDS,
  HTTP_METHODS,
} from "./akto-rules.js";
export { checkAktoBatchBody } from "./check-akto-batch-body.js";
export { checkAktoRecord } from "./check-akto-record.js";
export { type ContractViolation, formatViolations } from "./contract-violation.js";
