/**
 * A Databricks REST error: rendered as `{"error_code": ..., "message": ...}` with the status code
 * Databricks uses. `errorCode` is usually a string (PERMISSION_DENIED…); the invalid-token answer
 * really carries the number 403 there.
 */
export class DatabricksApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string | number,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly details?: readonly Record<string, unknown>[],
  ) {
    super(message);
    this.name = "DatabricksApiError";
  }

  body(): Record<string, unknown> {
    return {
      error_code: this.errorCode,
      message: this.message,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export const INVALID_TOKEN_MESSAGE = "Invalid access token.";

/** What Databricks answers for an unknown, expired or revoked bearer token. */
export function invalidAccessToken(): DatabricksApiError {
  return new DatabricksApiError(403, 403, INVALID_TOKEN_MESSAGE, {
    "X-Databricks-Reason-Phrase": INVALID_TOKEN_MESSAGE,
  });
}

export function missingCredentials(): DatabricksApiError {
  return new DatabricksApiError(
    401,
    401,
    "Credential was not sent or was of an unsupported type for this API.",
    { "X-Databricks-Reason-Phrase": "Credential was not sent or was of an unsupported type for this API." },
  );
}

export function permissionDenied(message: string): DatabricksApiError {
  return new DatabricksApiError(403, "PERMISSION_DENIED", message);
}

export function notFound(errorCode: string, message: string): DatabricksApiError {
  return new DatabricksApiError(404, errorCode, message);
}

export function badRequest(message: string, errorCode = "INVALID_PARAMETER_VALUE"): DatabricksApiError {
  return new DatabricksApiError(400, errorCode, message);
}
