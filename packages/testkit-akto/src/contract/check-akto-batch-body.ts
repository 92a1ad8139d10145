import { AKTO_MAX_BODY_BYTES } from "./akto-rules.js";
import { checkAktoRecord } from "./check-akto-record.js";
import type { ContractViolation } from "./contract-violation.js";

/**
 * Checks a `POST /api/ingestData` body: `{"batchData": [record, ...]}` within Akto's byte limit,
 * and every record in it (fields reported as `batchData[i].<field>`). `body` may be the serialised
 * text (what goes on the wire, measured exactly) or the object (measured as its JSON).
 */
export function checkAktoBatchBody(body: unknown): ContractViolation[] {
  const violations: ContractViolation[] = [];
  let parsed: unknown = body;
  let bytes: number;
  if (typeof body === "string") {
    bytes = Buffer.byteLength(body);
    try {
      parsed = JSON.parse(body);
    } catch {
      return [{ field: "(body)", reason: "does not parse as JSON" }];
    }
  } else {
    bytes = Buffer.byteLength(JSON.stringify(body) ?? "");
  }
  if (bytes > AKTO_MAX_BODY_BYTES) {
    violations.push({
      field: "(body)",
      reason: `is ${bytes} bytes; Akto rejects bodies over ${AKTO_MAX_BODY_BYTES} bytes`,
    });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    violations.push({ field: "(body)", reason: 'must be a JSON object {"batchData": [...]}' });
    return violations;
  }
  const batch = (parsed as Record<string, unknown>).batchData;
  if (!Array.isArray(batch)) {
    const reason = batch === undefined ? "is missing (Akto answers 422)" : "must be an array of records";
    violations.push({ field: "batchData", reason });
    return violations;
  }
  batch.forEach((record, index) => {
    violations.push(...checkAktoRecord(record, `batchData[${index}].`));
  });
  return violations;
}
