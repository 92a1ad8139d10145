/**
 * Exit codes of `pipeline run` and `databricks-shield`. Akto's job runner only tells zero from
 * non-zero; the distinct codes are for scripts and people reading a cron log.
 */
export const EXIT_CODES = {
  /** Everything read was delivered (or was bad input, dead-lettered with its reason). */
  ok: 0,
  /** A fatal error, a failed one-shot cycle, or a drain that had to abandon work. */
  failed: 1,
  /** The configuration (flags, environment, pipeline file) is not usable. */
  config: 2,
  /**
   * A destination was unavailable: some records were not delivered. They are not dead-lettered and
   * not committed, so the next run sends them again.
   */
  undelivered: 3,
} as const;
