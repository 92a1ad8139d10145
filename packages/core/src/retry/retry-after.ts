/**
 * Parse an HTTP Retry-After value (RFC 9110 §10.2.3): either delay-seconds or an HTTP-date.
 * Returns milliseconds from `now`, never negative, or undefined when absent or unparseable. One
 * reading for every HTTP client of ours (the Akto sink, the Databricks REST client).
 */
export function parseRetryAfter(
  value: string | readonly string[] | null | undefined,
  now: number = Date.now(),
): number | undefined {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!raw) return undefined;
  // RFC 9110 allows whole seconds only; fractions ("0.05", some proxies and test servers) are taken
  // as meant rather than dropped, since a shorter wait than asked is what dropping them would cause.
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  // Only accept things that look like a date, so "soon" or "-5" do not become NaN or 0 silently.
  if (!/[a-z]/i.test(raw)) return undefined;
  const at = Date.parse(raw);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
