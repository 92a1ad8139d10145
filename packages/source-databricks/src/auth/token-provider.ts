import { DatabricksAuthError, DatabricksConnectionError } from "../errors/errors.js";
import type { HttpTransport } from "../http/http-client.js";

/**
 * Where bearer tokens come from. The token never leaves this object except in an Authorization
 * header: it is not logged, not put in errors and not exposed as a property.
 */
export interface AccessTokenProvider {
  readonly kind: "oauth-m2m" | "pat";
  getToken(signal?: AbortSignal): Promise<string>;
  /** The server rejected `token`: forget it, so the next getToken() fetches a fresh one. */
  invalidate(token: string): void;
}

/** A personal access token: nothing to refresh. */
export class PatTokenProvider implements AccessTokenProvider {
  readonly kind = "pat" as const;
  readonly #token: string;
  constructor(token: string) {
    this.#token = token;
  }
  async getToken(): Promise<string> {
    return this.#token;
  }
  invalidate(): void {}
  toJSON(): object {
    return { kind: this.kind };
  }
}

export interface OAuthM2MOptions {
  /** "https://host" (no trailing slash). */
  readonly baseUrl: string;
  readonly hostLabel: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly http: HttpTransport;
  /** Fraction of the token's lifetime after which it is refreshed. */
  readonly refreshAtFraction?: number;
  readonly now?: () => number;
  /** Called with the new token's lifetime each time one is fetched (for logs/metrics). */
  readonly onTokenFetched?: (info: { expiresInSeconds: number }) => void;
}

interface CachedToken {
  readonly value: string;
  readonly refreshAt: number;
  readonly expiresAt: number;
}

/**
 * OAuth machine-to-machine (client credentials) against the workspace's own token endpoint. The
 * token is cached and refreshed at 80% of its lifetime, or at once after the server rejected it. Concurrent callers share one
 * refresh.
 */
export class OAuthM2MTokenProvider implements AccessTokenProvider {
  readonly kind = "oauth-m2m" as const;
  readonly #secret: string;
  #cached: CachedToken | undefined;
  #inflight: Promise<CachedToken> | undefined;
  private readonly now: () => number;
  // Everything but the secret, which lives in a private field (out of any accidental dump).
  private readonly options: Omit<OAuthM2MOptions, "clientSecret">;

  constructor({ clientSecret, ...options }: OAuthM2MOptions) {
    this.#secret = clientSecret;
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  async getToken(signal?: AbortSignal): Promise<string> {
    const cached = this.#cached;
    if (cached && this.now() < cached.refreshAt) return cached.value;
    this.#inflight ??= this.fetchToken(signal).finally(() => {
      this.#inflight = undefined;
    });
    const fresh = await this.#inflight;
    this.#cached = fresh;
    return fresh.value;
  }

  invalidate(token: string): void {
    if (this.#cached?.value === token) this.#cached = undefined;
  }

  toJSON(): object {
    return { kind: this.kind, clientId: this.options.clientId };
  }

  private async fetchToken(signal?: AbortSignal): Promise<CachedToken> {
    const basic = Buffer.from(`${this.options.clientId}:${this.#secret}`).toString("base64");
    const issuedAt = this.now();
    const res = await this.options.http.request({
      method: "POST",
      url: `${this.options.baseUrl}/oidc/v1/token`,
      headers: {
        authorization: `Basic ${basic}`,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: "grant_type=client_credentials&scope=all-apis",
      signal,
    });
    const body = safeJson(res.text);
    if (res.status >= 400) {
      const error = typeof body?.error === "string" ? body.error : undefined;
      if (res.status === 400 || res.status === 401 || res.status === 403) {
        throw new DatabricksAuthError(
          error === "invalid_client" || error === undefined
            ? "invalid client credentials"
            : `${error}${typeof body?.error_description === "string" ? ` (${body.error_description})` : ""}`,
        );
      }
      throw new DatabricksConnectionError(
        this.options.hostLabel,
        `token endpoint answered HTTP ${res.status}${error ? ` ${error}` : ""}`,
      );
    }
    const value = body?.access_token;
    if (typeof value !== "string" || value.length === 0) {
      throw new DatabricksAuthError("the token endpoint returned no access_token");
    }
    const lifetimeMs = tokenLifetimeMs(body?.expires_in, value, issuedAt);
    const fraction = this.options.refreshAtFraction ?? 0.8;
    // 80% leaves 12 minutes of a one-hour token, and still a margin for the seconds-long tokens of tests.
    const refreshAfter = lifetimeMs * fraction;
    this.options.onTokenFetched?.({ expiresInSeconds: Math.round(lifetimeMs / 1000) });
    return { value, refreshAt: issuedAt + refreshAfter, expiresAt: issuedAt + lifetimeMs };
  }
}

/** The sooner of expires_in and the JWT's exp claim; one hour (Databricks' default) when neither is known. */
function tokenLifetimeMs(expiresIn: unknown, token: string, now: number): number {
  const fromResponse = Number(expiresIn) > 0 ? Number(expiresIn) * 1000 : undefined;
  const exp = jwtExp(token);
  // `exp` is whole seconds from the issuer's clock: it may end sooner than expires_in suggests.
  const fromJwt = exp !== undefined && exp * 1000 > now ? exp * 1000 - now : undefined;
  if (fromResponse !== undefined && fromJwt !== undefined) return Math.min(fromResponse, fromJwt);
  return fromResponse ?? fromJwt ?? 3_600_000;
}

function jwtExp(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown };
    return typeof claims.exp === "number" ? claims.exp : undefined;
  } catch {
    return undefined;
  }
}

function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === "object" ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
