/**
 * One broken rule. `field` is a path into the checked value (e.g. "time" or
 * "batchData[3].requestHeaders"); `reason` says what Akto would do with it. Reasons never quote
 * field values, which may hold secrets or personal data; they may quote header/tag key names.
 */
export interface ContractViolation {
  readonly field: string;
  readonly reason: string;
}

/** One line per violation, for assertion messages. */
export function formatViolations(violations: readonly ContractViolation[]): string {
  return violations.map((v) => `${v.field}: ${v.reason}`).join("\n");
}
