import { json, type Router } from "../http/router.js";
import { OAuthError, type TokenService } from "./token-service.js";

/** OIDC discovery and the OAuth M2M token endpoint (client_credentials). */
export function registerOAuthRoutes(router: Router, tokens: TokenService, baseUrl: () => string): void {
  router.add({
    method: "GET",
    pattern: "/oidc/.well-known/oauth-authorization-server",
    public: true,
    handler: () =>
      json({
        issuer: `${baseUrl()}/oidc`,
        authorization_endpoint: `${baseUrl()}/oidc/v1/authorize`,
        token_endpoint: `${baseUrl()}/oidc/v1/token`,
        jwks_uri: `${baseUrl()}/oidc/jwks.json`,
        grant_types_supported: ["client_credentials", "authorization_code", "refresh_token"],
        response_types_supported: ["code", "id_token"],
        token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
        scopes_supported: ["all-apis", "offline_access", "openid", "email", "profile"],
        code_challenge_methods_supported: ["S256"],
      }),
  });
  router.add({
    method: "POST",
    pattern: "/oidc/v1/token",
    public: true,
    handler: (ctx) => {
      const contentType = String(ctx.headers["content-type"] ?? "");
      if (!contentType.startsWith("application/x-www-form-urlencoded")) {
        throw new OAuthError(
          400,
          "invalid_request",
          "Content-Type must be application/x-www-form-urlencoded",
        );
      }
      const form = new URLSearchParams(ctx.body.toString("utf8"));
      let clientId = form.get("client_id") ?? "";
      let clientSecret = form.get("client_secret") ?? "";
      const basic = /^Basic\s+(.+)$/i.exec(String(ctx.headers.authorization ?? ""));
      if (basic?.[1]) {
        const decoded = Buffer.from(basic[1], "base64").toString("utf8");
        const colon = decoded.indexOf(":");
        if (colon >= 0) {
          clientId = decodeURIComponent(decoded.slice(0, colon));
          clientSecret = decodeURIComponent(decoded.slice(colon + 1));
        }
      }
      const grantType = form.get("grant_type");
      if (grantType !== "client_credentials") {
        throw new OAuthError(
          400,
          "unsupported_grant_type",
          `Unsupported grant_type: ${grantType ?? "(missing)"}`,
        );
      }
      if (!clientId || !clientSecret)
        throw new OAuthError(401, "invalid_client", "Client authentication failed");
      const issued = tokens.issue(clientId, clientSecret, form.get("scope") ?? "all-apis");
      return json(issued, 200, { "Cache-Control": "no-store", Pragma: "no-cache" });
    },
  });
}
