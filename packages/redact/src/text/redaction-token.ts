import { createHmac } from "node:crypto";

export type RedactionMode = "mask" | "hmac" | "remove";

/**
 * What redaction leaves behind. Tokens are recognised on later passes (and never re-redacted), which
 * is what makes redaction idempotent: `[REDACTED:EMAIL]`, `[EMAIL:hmac:ab12cd34ef56]`.
 */
export const TOKEN_RE = /\[(?:REDACTED:[A-Z][A-Z0-9_]*|[A-Z][A-Z0-9_]*:hmac:[0-9a-f]{12})\]/g;
const WHOLE_TOKEN_RE = /^\[(?:REDACTED:[A-Z][A-Z0-9_]*|[A-Z][A-Z0-9_]*:hmac:[0-9a-f]{12})\]$/;

export function isRedactionToken(value: string): boolean {
  return value.length >= 12 && value.charCodeAt(0) === 91 && WHOLE_TOKEN_RE.test(value);
}

export function maskToken(detector: string): string {
  return `[REDACTED:${detector}]`;
}

/** Hex digits of the pseudonym: 48 bits, enough to join records, too few to be worth storing as a lookup. */
const PSEUDONYM_HEX = 12;
const CACHE_LIMIT = 10_000;

/**
 * Keyed pseudonyms: HMAC-SHA256(key, detector + value). Stable for the same key and value across
 * records and runs; without the key nobody can test guesses (a bare SHA-256 of an SSN can be
 * brute-forced in seconds). Results are cached because the same values recur across records.
 */
export class Pseudonymizer {
  private readonly cache = new Map<string, string>();

  constructor(private readonly key: string) {}

  token(detector: string, value: string): string {
    const cacheKey = `${detector}\u0000${value}`;
    let token = this.cache.get(cacheKey);
    if (token === undefined) {
      const digest = createHmac("sha256", this.key).update(cacheKey).digest("hex");
      token = `[${detector}:hmac:${digest.slice(0, PSEUDONYM_HEX)}]`;
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(cacheKey, token);
    }
    return token;
  }
}
