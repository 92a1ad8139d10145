/**
 * Akto rejects strings over 5,242,880 characters and bodies over 10 MiB. Rather than drop an
 * execution, long payloads are cut and marked so a reader of the record sees that text is missing
 * and how much.
 */

/** Marker appended to a cut string; `n` is the number of characters removed. */
export function truncationMarker(removed: number): string {
  return `…[TRUNCATED ${removed} chars]`;
}

/** Keep `keep` UTF-16 units without splitting a surrogate pair (a lone half would not be valid text). */
function safePrefix(text: string, keep: number): string {
  if (keep <= 0) return "";
  const last = text.charCodeAt(keep - 1);
  return last >= 0xd800 && last <= 0xdbff ? text.slice(0, keep - 1) : text.slice(0, keep);
}

/** The longest prefix + marker whose length is at most `maxChars`. Unchanged text when it fits. */
export function truncateToChars(text: string, maxChars: number): { text: string; removed: number } {
  if (text.length <= maxChars) return { text, removed: 0 };
  // The marker's own length depends on the count removed; one refinement step settles it.
  let keep = maxChars - truncationMarker(text.length).length;
  let prefix = safePrefix(text, keep);
  keep = prefix.length;
  prefix = safePrefix(text, Math.min(keep, maxChars - truncationMarker(text.length - keep).length));
  const removed = text.length - prefix.length;
  return { text: prefix + truncationMarker(removed), removed };
}

/** Bytes the string takes inside a JSON document (quotes and escapes included). */
export function jsonBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text));
}

/**
 * The longest prefix + marker whose JSON-encoded size is at most `maxBytes`. Binary search over the
 * prefix length: the byte size of JSON text is monotonic in the prefix length.
 */
export function truncateToJsonBytes(text: string, maxBytes: number): { text: string; removed: number } {
  if (jsonBytes(text) <= maxBytes) return { text, removed: 0 };
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    const prefix = safePrefix(text, mid);
    if (jsonBytes(prefix + truncationMarker(text.length - prefix.length)) <= maxBytes) low = mid;
    else high = mid - 1;
  }
  const prefix = safePrefix(text, low);
  const removed = text.length - prefix.length;
  return { text: prefix + truncationMarker(removed), removed };
}
