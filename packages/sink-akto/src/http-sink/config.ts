import { z } from "zod";
import { AKTO_MAX_BODY_BYTES } from "../mapping/akto-record.js";

// One definition of Akto's limits (mapping/akto-record.ts); the sink re-exports the body limit.
export { AKTO_MAX_BODY_BYTES };

/**
 * Batch limits the runner hands to the core engine for this sink. 50 records is what Akto's own
 * connectors send; the byte cap stays one MiB under Akto's body limit because the engine budgets
 * with each message's serialised size and the `{"batchData":[…]}` envelope adds a little on top.
 */
export const AKTO_BATCH_DEFAULTS = Object.freeze({
  maxCount: 50,
  maxBytes: AKTO_MAX_BODY_BYTES - 1_048_576,
  lingerMs: 1_000,
});

export const aktoHttpSinkConfigSchema = z.strictObject({
  /** Base URL of Akto's data ingestion service (the runner maps DATA_INGESTION_SERVICE_URL). */
  url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as http://akto:9091" }),
  /**
   * Raw JWT sent in the `authorization` header without a "Bearer " prefix (AKTO_JWT_TOKEN). Empty
   * means none, so `token: ${AKTO_JWT_TOKEN:-}` works for services running without authentication.
   */
  token: z.string().optional(),
  /** Limit for the response headers to arrive, and for each gap while reading the body. */
  timeoutMs: z.number().int().positive().default(30_000),
  /** Parallel requests (HTTP connections) to the ingestion service. */
  concurrency: z.number().int().positive().max(256).default(4),
});

export type AktoHttpSinkConfig = z.input<typeof aktoHttpSinkConfigSchema>;
export type ResolvedAktoHttpSinkConfig = z.output<typeof aktoHttpSinkConfigSchema>;

/** Config fields whose values are secrets: never echoed by validation, errors or logs. */
export const AKTO_HTTP_SECRET_FIELDS = ["token"] as const;
