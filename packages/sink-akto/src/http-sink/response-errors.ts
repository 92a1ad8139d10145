import { FatalError, PoisonError, RetryableError } from "@pipekit/core";
import { parseRetryAfter } from "@pipekit/core/advanced";

/** What we know about a non-2xx answer from the ingestion service. */
export interface FailedResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Response body text, already capped and scrubbed of the token. */
  readonly body: string;
  /** Where the request went, without credentials, for messages. */
  readonly target: string;
  readonly batchSize: number;
}

/**
 * Turn a non-2xx status into the error class the engine acts on.
 * - 5xx, 408, 429: transient → RetryableError (429/503 carry Retry-After as retryAfterMs).
 * - 401/403: the token is wrong; retrying would only hammer Akto → FatalError.
 * - 413/422 (and 400): this batch's content is rejected → PoisonError, so the engine bisects it
 *   down to the offending record(s) and dead-letters only those.
 * - anything else (404, 405…): the URL points at something that is not Akto → FatalError.
 */
export function errorForStatus(res: FailedResponse): Error {
  const { statusCode, target } = res;
  const where = `Akto ingestion service ${target}`;
  if (statusCode >= 500 || statusCode === 429 || statusCode === 408) {
    const retryAfterMs = parseRetryAfter(res.headers["retry-after"]);
    const hint = retryAfterMs === undefined ? "" : ` (Retry-After ${Math.ceil(retryAfterMs / 1000)}s)`;
    return new RetryableError(`${where} answered HTTP ${statusCode}${hint}${detail(res.body)}`, {
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (statusCode === 401 || statusCode === 403) {
    return new FatalError(
      `Akto rejected the token (HTTP ${statusCode}) at ${target}: check AKTO_JWT_TOKEN / the sink's token ` +
        "(sent raw in the authorization header, without a Bearer prefix)",
    );
  }
  if (statusCode === 413) {
    return new PoisonError(
      `${where} rejected a batch of ${res.batchSize} record(s) as too large (HTTP 413; limit 10,485,760 bytes per body)${detail(res.body)}`,
    );
  }
  if (statusCode === 422 || statusCode === 400) {
    return new PoisonError(
      `${where} rejected a batch of ${res.batchSize} record(s) (HTTP ${statusCode})${detail(res.body)}`,
    );
  }
  return new FatalError(
    `${where} answered HTTP ${statusCode}: is DATA_INGESTION_SERVICE_URL the ingestion service's base URL?${detail(res.body)}`,
  );
}

/** Akto reports failures as {"actionErrors":[...]}; show those, else a short piece of the body. */
function detail(body: string): string {
  const text = body.trim();
  if (!text) return "";
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && "actionErrors" in parsed) {
      const errors = (parsed as { actionErrors: unknown }).actionErrors;
      if (Array.isArray(errors) && errors.length > 0) return `: ${errors.map(String).join("; ")}`;
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return `: ${text.length > 500 ? `${text.slice(0, 500)}…` : text}`;
}

/** undici / Node socket error codes that mean "the request may not have reached Akto; try again". */
const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_ABORTED",
]);

/** Map a thrown transport error (no HTTP status) to an engine error class. */
export function errorForTransportFailure(error: unknown, target: string, timeoutMs: number): Error {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (
    code === "UND_ERR_HEADERS_TIMEOUT" ||
    code === "UND_ERR_BODY_TIMEOUT" ||
    code === "UND_ERR_CONNECT_TIMEOUT"
  ) {
    return new RetryableError(
      `Akto ingestion service ${target} did not answer within ${timeoutMs} ms (${code})`,
      {
        cause: error,
      },
    );
  }
  if ((code && TRANSIENT_CODES.has(code)) || isAbort(error)) {
    return new RetryableError(`Request to Akto ingestion service ${target} failed: ${code ?? message}`, {
      cause: error,
    });
  }
  // Unknown failures stay retryable (the engine's default) but keep their cause for diagnosis.
  return new RetryableError(`Request to Akto ingestion service ${target} failed: ${message}`, {
    cause: error,
  });
}

/** No (complete) answer within the configured time: transient, the batch is retried. */
export function timeoutError(
  target: string,
  timeoutMs: number,
  cause: unknown,
  code?: string,
): RetryableError {
  const suffix = code ? ` (${code})` : "";
  return new RetryableError(
    `Akto ingestion service ${target} did not answer within ${timeoutMs} ms${suffix}`,
    {
      cause,
    },
  );
}

function errorCode(error: unknown): string | undefined {
  // undici wraps socket errors: the useful code can sit on the error or on its cause.
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}
