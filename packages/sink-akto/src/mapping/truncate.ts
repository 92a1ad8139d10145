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
  // The marker's length depends on the count removed. A first guess (marker for removing everything)
  // is refined once: keeping more only shrinks the count, so the result never exceeds maxChars.
  const firstKeep = maxChars - truncationMarker(text.length).length;
  const prefix = safePrefix(text, maxChars - truncationMarker(text.length - firstKeep).length);
  const removed = text.length - prefix.length;
  return { text: prefix + truncationMarker(removed), removed };
}

/** Bytes the string takes inside a JSON document (quotes and escapes included). */
export function jsonBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text));
}

/**
 * The longest prefix + marker whose JSON-encoded size is at most `maxBytes`. Counts JSON escapes and
 * UTF-8 widths in one pass instead of re-serialising candidate prefixes (payloads are megabytes).
 */
export function truncateToJsonBytes(text: string, maxBytes: number): { text: string; removed: number } {
  if (jsonBytes(text) <= maxBytes) return { text, removed: 0 };
  // Upper bound for the marker: its count can be at most text.length. Minus 2 for the quotes.
  const markerBytes = jsonBytes(truncationMarker(text.length)) - 2;
  const prefix = text.slice(0, jsonPrefixLength(text, maxBytes - 2 - markerBytes));
  const removed = text.length - prefix.length;
  return { text: prefix + truncationMarker(removed), removed };
}

/** How many UTF-16 units of `text` fit in `budget` bytes of JSON string content (no quotes). */
function jsonPrefixLength(text: string, budget: number): number {
  let used = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    let units = 1;
    let bytes: number;
    if (
      code === 0x22 ||
      code === 0x5c ||
      code === 0x08 ||
      code === 0x09 ||
      code === 0x0a ||
      code === 0x0c ||
      code === 0x0d
    ) {
      bytes = 2; // \" \\ \b \t \n \f \r
    } else if (code < 0x20) {
      bytes = 6; // \u00XX
    } else if (code < 0x80) {
      bytes = 1;
    } else if (code < 0x800) {
      bytes = 2;
    } else if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        units = 2; // a pair: one 4-byte code point, never split
        bytes = 4;
      } else {
        bytes = 6; // lone surrogate: JSON.stringify writes \uXXXX
      }
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      bytes = 6;
    } else {
      bytes = 3;
    }
    if (used + bytes > budget) break;
    used += bytes;
    i += units;
  }
  return i;
}
