import type { IncomingMessage } from "node:http";

export type BodyResult =
  | { readonly ok: true; readonly body: Buffer }
  /** `drained` false: the body went on past the drain cap and the request stream was destroyed. */
  | { readonly ok: false; readonly tooLarge: true; readonly drained: boolean };

/**
 * Read a request body, buffering at most `limit` bytes. A larger body is still read to its end (up to
 * `drainLimit`, without buffering) so the client gets our answer instead of a reset mid-upload;
 * leaving a for-await loop early would destroy the stream.
 */
export async function readBody(req: IncomingMessage, limit: number, drainLimit = limit): Promise<BodyResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > drainLimit) return { ok: false, tooLarge: true, drained: false };
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  if (size > limit) return { ok: false, tooLarge: true, drained: true };
  return { ok: true, body: Buffer.concat(chunks, size) };
}

/**
 * Path of the first string (value or key) longer than `maxChars`, like Jackson's maxStringLength
 * read constraint that Akto's parser runs with. Iterative so deep JSON cannot blow the stack.
 */
export function findOverlongString(value: unknown, maxChars: number, root = "body"): string | undefined {
  const stack: Array<[unknown, string]> = [[value, root]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === "string") {
      if (v.length > maxChars) return path;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
    } else if (v && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) {
        if (k.length > maxChars) return `${path} (a key)`;
        stack.push([child, `${path}.${k}`]);
      }
    }
  }
  return undefined;
}
