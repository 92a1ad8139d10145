export {
  AUDIT_PATTERNS,
  type AuditOptions,
  type AuditPattern,
  type AuditSurvivor,
  auditPath,
  auditRecords,
  auditText,
} from "./sink-output-audit.js";
