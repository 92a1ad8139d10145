import type { AccessTokenProvider } from "../auth/token-provider.js";
import { DatabricksApiError, DatabricksAuthError } from "../errors/errors.js";
import type { HttpTransport } from "./http-client.js";

export type Query = Record<string, string | number | boolean | undefined>;

/**
 * Authenticated JSON calls to the workspace REST API. A token the server rejects (401, or 403
 * "Invalid access token") is dropped and the call retried once with a fresh one; every other
 * error becomes a DatabricksApiError carrying the server's error_code for callers to interpret.
 */
export class DatabricksRestClient {
  constructor(
    private readonly baseUrl: string,
    private readonly http: HttpTransport,
    private readonly tokens: AccessTokenProvider,
  ) {}

  async get<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T> {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return this.call<T>("GET", url, path, undefined, signal);
  }

  /** A read-only POST (MLflow's trace search takes its query as a JSON body). */
  async post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.call<T>("POST", new URL(`${this.baseUrl}${path}`), path, JSON.stringify(body), signal);
  }

  private async call<T>(
    method: "GET" | "POST",
    url: URL,
    path: string,
    body: string | undefined,
    signal?: AbortSignal,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.tokens.getToken(signal);
      const res = await this.http.request({
        method,
        url: url.toString(),
        headers: {
          authorization: `Bearer ${token}`,
          accept: "application/json",
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(body !== undefined ? { body } : {}),
        signal,
      });
      if (res.status < 400) return parseJson<T>(res.text, path);
      const error = parseErrorBody(res.text);
      if (isInvalidToken(res.status, error)) {
        this.tokens.invalidate(token);
        if (attempt === 0) continue;
        throw new DatabricksAuthError(
          this.tokens.kind === "pat"
            ? "invalid or expired access token"
            : "the workspace rejected a fresh token",
        );
      }
      throw new DatabricksApiError(res.status, error.errorCode, error.message, path);
    }
  }
}

interface ErrorBody {
  readonly errorCode: string;
  readonly message: string;
  /** As sent: Databricks uses a number (403) for invalid tokens, a string elsewhere. */
  readonly rawCode: unknown;
}

function parseErrorBody(text: string): ErrorBody {
  try {
    const body = JSON.parse(text) as { error_code?: unknown; message?: unknown; error?: unknown };
    const rawCode = body.error_code ?? body.error;
    return {
      rawCode,
      errorCode: rawCode === undefined ? "UNKNOWN" : String(rawCode),
      message: typeof body.message === "string" ? body.message : text.slice(0, 300),
    };
  } catch {
    return { rawCode: undefined, errorCode: "UNKNOWN", message: text.slice(0, 300) };
  }
}

function isInvalidToken(status: number, body: ErrorBody): boolean {
  if (status === 401) return true;
  return (
    status === 403 && (body.rawCode === 403 || /invalid access token|token.*expired/i.test(body.message))
  );
}

function parseJson<T>(text: string, path: string): T {
  try {
    return (text.length === 0 ? {} : JSON.parse(text)) as T;
  } catch (error) {
    throw new DatabricksApiError(200, "INVALID_JSON", "response body is not JSON", path, { cause: error });
  }
}
