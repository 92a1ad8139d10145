/** How the engine treats a failure. */
export type ErrorClass = "retryable" | "poison" | "fatal";

/** A transient failure: retry with backoff. `retryAfterMs` (e.g. from Retry-After) overrides the delay floor. */
export class RetryableError extends Error {
  override readonly name = "RetryableError";
  readonly class = "retryable" as const;
  constructor(
    message: string,
    readonly options: { retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
  }
  get retryAfterMs(): number | undefined {
    return this.options.retryAfterMs;
  }
}

/** The data itself is bad: retrying cannot help. The message(s) go to the dead-letter path. */
export class PoisonError extends Error {
  override readonly name = "PoisonError";
  readonly class = "poison" as const;
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
  }
}

/** The pipeline cannot go on (bad credentials, missing topic…): stop with this error. */
export class FatalError extends Error {
  override readonly name = "FatalError";
  readonly class = "fatal" as const;
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
  }
}

/** A configuration problem, with the path in the config where it was found. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    message: string,
    readonly issues: readonly { path: readonly (string | number)[]; message: string }[] = [],
  ) {
    super(message);
  }
}
