import { estimateSize } from "@pipekit/core/advanced";

/**
 * How many bytes the redacted value's JSON grew (negative: shrank) against the original, found by
 * following only what the redaction replaced. The walker copies on write, so subtrees it left alone
 * are the same objects and cost one comparison; a whole-value JSON.stringify per message just to
 * re-size it cost more than the redaction of a clean payload. Strings count their UTF-8 bytes
 * (escaping is not re-counted), so the result is an estimate, like the sizes it adjusts.
 */
export function sizeDelta(before: unknown, after: unknown): number {
  if (before === after) return 0;
  if (typeof before === "string" && typeof after === "string") {
    return Buffer.byteLength(after) - Buffer.byteLength(before);
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    let delta = 0;
    for (let i = 0; i < before.length; i++) delta += sizeDelta(before[i], after[i]);
    return delta;
  }
  if (isObject(before) && isObject(after) && !Array.isArray(before) && !Array.isArray(after)) {
    let delta = 0;
    for (const key of Object.keys(before)) {
      if (Object.hasOwn(after, key)) delta += sizeDelta(before[key], after[key]);
      // A removed entry takes its key, quotes, colon and comma along.
      else delta -= Buffer.byteLength(key) + 4 + estimateSize(before[key]);
    }
    return delta;
  }
  return estimateSize(after) - estimateSize(before);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
