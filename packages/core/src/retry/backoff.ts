/** Retry policy of one sink. Defaults follow the OTel Collector's exporter helper, a bit faster. */
export interface RetryPolicy {
  /** Total tries including the first. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Give up (the batch stays unacknowledged for a later cycle) once the next wait would end later than this after the first try. */
  readonly maxElapsedMs: number;
  /** Growth of the delay ceiling per failed try (default 2: doubling). */
  readonly multiplier?: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  initialDelayMs: 200,
  maxDelayMs: 30_000,
  maxElapsedMs: 300_000,
};

/**
 * Exponential backoff with full jitter (AWS architecture blog): uniform in [0, min(cap, base·m^(n-1))),
 * m being the policy's multiplier (2 unless set).
 * A server's Retry-After is a floor: retrying earlier would only be rejected again.
 */
export function backoffDelay(
  policy: RetryPolicy,
  failedAttempt: number,
  random: () => number,
  retryAfterMs?: number,
): number {
  const ceiling = Math.min(
    policy.maxDelayMs,
    policy.initialDelayMs * (policy.multiplier ?? 2) ** (failedAttempt - 1),
  );
  const jittered = Math.floor(random() * ceiling);
  return retryAfterMs !== undefined && retryAfterMs > jittered ? retryAfterMs : jittered;
}

export class AbortedError extends Error {
  override readonly name = "AbortedError";
}

/** setTimeout as a promise that rejects with AbortedError when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new AbortedError("aborted"));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError("aborted"));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
