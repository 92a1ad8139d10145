const CACHE_LIMIT = 10_000;

/** Lower-case, without - _ . and spaces: "X-Api-Key", "x_api_key" and "xApiKey" all become "xapikey". */
export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_. ]/g, "");
}

/**
 * `isBlocked(key)`: the normalised key ends with a blocked name ("db_password", "githubToken").
 * Payloads repeat the same few keys ("role", "content"…), so decisions are cached.
 */
export function blockedKeyMatcher(names: readonly string[]): (key: string) => boolean {
  const suffixes = [...new Set(names.map(normalizeKey).filter((n) => n.length > 0))];
  const cache = new Map<string, boolean>();
  return (key) => {
    let blocked = cache.get(key);
    if (blocked === undefined) {
      const normalized = normalizeKey(key);
      blocked = suffixes.some((s) => normalized.endsWith(s));
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(key, blocked);
    }
    return blocked;
  };
}
