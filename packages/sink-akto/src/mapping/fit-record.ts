import type { AktoRecord } from "./akto-record.js";
import { jsonBytes, truncateToJsonBytes } from "./truncate.js";

/** The only fields that may be cut: everything else is small and needed to file the traffic. */
export type PayloadField = "requestPayload" | "responsePayload";
export const PAYLOAD_FIELDS: readonly PayloadField[] = ["requestPayload", "responsePayload"];

/** A record together with its JSON text, and what was cut to get it there. */
export interface FittedRecord {
  readonly record: AktoRecord;
  readonly text: string;
  readonly bytes: number;
  /** Characters removed per field (absent: untouched). */
  readonly removed: Readonly<Partial<Record<PayloadField, number>>>;
}

/**
 * `record` (whose JSON is `text`, `bytes` long) shortened to at most `maxBytes` of JSON: the byte
 * budget the other fields leave is shared between the two payloads, the larger one cut first (the
 * smaller keeps all it has if that is at most half), each cut marked with truncationMarker.
 * Undefined when even marker-only payloads do not fit (the other fields alone are too large).
 * Never mutates `record`: a fitted copy is returned, so one record can be fitted to several
 * destinations' limits.
 */
export function fitRecordToBytes(
  record: AktoRecord,
  text: string,
  bytes: number,
  maxBytes: number,
): FittedRecord | undefined {
  if (bytes <= maxBytes) return { record, text, bytes, removed: {} };
  const requestBytes = jsonBytes(record.requestPayload);
  const responseBytes = jsonBytes(record.responsePayload);
  const available = maxBytes - (bytes - requestBytes - responseBytes);
  const half = Math.floor(available / 2);
  const requestBudget = responseBytes <= half ? available - responseBytes : Math.max(half, 0);
  const request = truncateToJsonBytes(record.requestPayload, requestBudget);
  const responseBudget = available - jsonBytes(request.text);
  const response = truncateToJsonBytes(record.responsePayload, responseBudget);
  const fitted: AktoRecord = { ...record, requestPayload: request.text, responsePayload: response.text };
  const fittedText = JSON.stringify(fitted);
  const fittedBytes = Buffer.byteLength(fittedText);
  if (fittedBytes > maxBytes) return undefined;
  const removed: Partial<Record<PayloadField, number>> = {};
  if (request.removed > 0) removed.requestPayload = request.removed;
  if (response.removed > 0) removed.responsePayload = response.removed;
  return { record: fitted, text: fittedText, bytes: fittedBytes, removed };
}
