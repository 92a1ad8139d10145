import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { DatabricksApiError, invalidAccessToken, missingCredentials } from "../http/api-error.js";
import type { Principal } from "./principals.js";

export interface IssuedToken {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  scope: string;
}

interface TokenClaims {
  sub: string;
  iss: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  scope: string;
  client_id: string;
}

/**
 * OAuth M2M tokens and personal access tokens. Access tokens are JWT-shaped (HS256 with a key
 * made at start) because the Databricks driver reads `exp` from the payload; the emulator checks
 * the signature, the expiry, and revocation.
 */
export class TokenService {
  private readonly key = randomBytes(32);
  private readonly principals = new Map<string, Principal>();
  private readonly revokedIds = new Set<string>();
  private readonly revokedPats = new Set<string>();
  /** Tokens issued at or before this epoch second are treated as revoked (revokeAll). */
  private revokedBefore = 0;
  /** Token lifetime for new tokens, seconds. */
  ttlSeconds: number;
  /** Tokens issued so far, by principal (tests assert refresh behaviour with it). */
  readonly issued: { principal: string; jti: string; exp: number }[] = [];

  constructor(
    /** The `iss` claim; set once the server knows its URL. */
    public issuer: string,
    ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.ttlSeconds = ttlSeconds;
  }

  addPrincipal(principal: Principal): void {
    this.principals.set(principal.name, principal);
  }

  listPrincipals(): Principal[] {
    return [...this.principals.values()];
  }

  /** `POST /oidc/v1/token` with client_credentials. Throws OAuth-shaped errors. */
  issue(clientId: string, clientSecret: string, scope: string): IssuedToken {
    const principal = [...this.principals.values()].find((p) => p.clientId === clientId);
    if (!principal || !safeEqual(principal.clientSecret, clientSecret)) {
      throw new OAuthError(401, "invalid_client", "Client authentication failed");
    }
    const iat = Math.floor(this.now() / 1000);
    const claims: TokenClaims = {
      sub: principal.clientId,
      client_id: principal.clientId,
      iss: this.issuer,
      aud: principal.clientId,
      iat,
      exp: iat + this.ttlSeconds,
      jti: randomUUID(),
      scope,
    };
    this.issued.push({ principal: principal.name, jti: claims.jti, exp: claims.exp });
    return { access_token: this.sign(claims), token_type: "Bearer", expires_in: this.ttlSeconds, scope };
  }

  /**
   * Resolves `Authorization: Bearer …` to a principal name, or throws the error Databricks gives:
   * 401 when no credential was sent, 403 "Invalid access token." otherwise.
   */
  authenticate(authorization: string | undefined): string {
    if (!authorization) throw missingCredentials();
    const basic = /^Basic\s+(.+)$/i.exec(authorization);
    // The driver's PAT mode sends the token as Basic "token:<pat>".
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization)?.[1] ?? decodeBasicToken(basic?.[1]);
    if (!bearer) throw missingCredentials();
    const token = bearer.trim();
    if (token.startsWith("dapi")) {
      const principal = [...this.principals.values()].find((p) => safeEqual(p.pat, token));
      if (!principal || this.revokedPats.has(token)) throw invalidAccessToken();
      return principal.name;
    }
    const claims = this.verify(token);
    if (!claims) throw invalidAccessToken();
    const principal = [...this.principals.values()].find((p) => p.clientId === claims.sub);
    if (!principal) throw invalidAccessToken();
    return principal.name;
  }

  /** Revokes every OAuth access token issued so far; tokens fetched afterwards work. */
  revokeAll(): void {
    this.revokedBefore = Math.floor(this.now() / 1000);
    for (const item of this.issued) this.revokedIds.add(item.jti);
  }

  /** Revokes one token: an OAuth access token or a PAT (by its value). */
  revoke(accessToken: string): void {
    const claims = this.decode(accessToken);
    if (claims) this.revokedIds.add(claims.jti);
    else this.revokedPats.add(accessToken);
  }

  private sign(claims: TokenClaims): string {
    const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT", kid: "emulator" }));
    const payload = b64url(JSON.stringify(claims));
    const signature = createHmac("sha256", this.key).update(`${header}.${payload}`).digest("base64url");
    return `${header}.${payload}.${signature}`;
  }

  private decode(token: string): TokenClaims | undefined {
    const parts = token.split(".");
    if (parts.length !== 3) return undefined;
    const [header, payload, signature] = parts as [string, string, string];
    const expected = createHmac("sha256", this.key).update(`${header}.${payload}`).digest("base64url");
    if (!safeEqual(expected, signature)) return undefined;
    try {
      return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as TokenClaims;
    } catch {
      return undefined;
    }
  }

  private verify(token: string): TokenClaims | undefined {
    const claims = this.decode(token);
    if (!claims) return undefined;
    if (claims.exp * 1000 <= this.now()) return undefined;
    if (this.revokedIds.has(claims.jti)) return undefined;
    if (claims.iat < this.revokedBefore) return undefined;
    return claims;
  }
}

/** An OAuth token-endpoint error (`{"error": ..., "error_description": ...}`). */
export class OAuthError extends DatabricksApiError {
  constructor(status: number, error: string, description: string) {
    super(status, error, description);
  }

  override body(): Record<string, unknown> {
    return { error: this.errorCode, error_description: this.message };
  }
}

function decodeBasicToken(encoded: string | undefined): string | undefined {
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0 || decoded.slice(0, colon) !== "token") return undefined;
  return decoded.slice(colon + 1);
}

function b64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
