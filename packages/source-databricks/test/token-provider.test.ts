import { describe, expect, it } from "vitest";
import { OAuthM2MTokenProvider } from "../src/auth/token-provider.js";
import { DatabricksAuthError } from "../src/errors/errors.js";
import type { HttpRequest, HttpResponse, HttpTransport } from "../src/http/http-client.js";

/** An in-memory token endpoint. */
function tokenEndpoint(answer: (req: HttpRequest, n: number) => { status: number; body: unknown }) {
  const requests: HttpRequest[] = [];
  const transport: HttpTransport = {
    async request(req) {
      requests.push(req);
      const { status, body } = answer(req, requests.length);
      return { status, headers: new Headers(), text: JSON.stringify(body) } satisfies HttpResponse;
    },
  };
  return { transport, requests };
}

describe("OAuthM2MTokenProvider", () => {
  it("posts client credentials with Basic auth and caches the token until 80% of its lifetime", async () => {
    let now = 1_000_000;
    const { transport, requests } = tokenEndpoint((_req, n) => ({
      status: 200,
      body: { access_token: `tok-${n}`, token_type: "Bearer", expires_in: 100 },
    }));
    const provider = new OAuthM2MTokenProvider({
      baseUrl: "https://ws.example",
      hostLabel: "ws.example",
      clientId: "sp-id",
      clientSecret: "sp-secret",
      http: transport,
      now: () => now,
    });
    expect(await provider.getToken()).toBe("tok-1");
    expect(requests[0]).toMatchObject({
      method: "POST",
      url: "https://ws.example/oidc/v1/token",
      body: "grant_type=client_credentials&scope=all-apis",
    });
    expect(requests[0]!.headers!.authorization).toBe(
      `Basic ${Buffer.from("sp-id:sp-secret").toString("base64")}`,
    );
    now += 79_000;
    expect(await provider.getToken()).toBe("tok-1");
    now += 2_000; // past 80 s of a 100 s token
    expect(await provider.getToken()).toBe("tok-2");
    provider.invalidate("tok-2");
    expect(await provider.getToken()).toBe("tok-3");
    expect(requests).toHaveLength(3);
  });

  it("shares one refresh between concurrent callers", async () => {
    const { transport, requests } = tokenEndpoint(() => ({
      status: 200,
      body: { access_token: "t", expires_in: 3600 },
    }));
    const provider = new OAuthM2MTokenProvider({
      baseUrl: "https://ws.example",
      hostLabel: "ws.example",
      clientId: "id",
      clientSecret: "s",
      http: transport,
    });
    await Promise.all([provider.getToken(), provider.getToken(), provider.getToken()]);
    expect(requests).toHaveLength(1);
  });

  it("turns invalid_client into 'Authentication failed: invalid client credentials' without the secret", async () => {
    const { transport } = tokenEndpoint(() => ({
      status: 401,
      body: { error: "invalid_client", error_description: "Client authentication failed" },
    }));
    const provider = new OAuthM2MTokenProvider({
      baseUrl: "https://ws.example",
      hostLabel: "ws.example",
      clientId: "id",
      clientSecret: "super-secret-value",
      http: transport,
    });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabricksAuthError);
    expect((error as DatabricksAuthError).message).toBe("Authentication failed: invalid client credentials");
    expect((error as DatabricksAuthError).hint).toMatch(/DATABRICKS_CLIENT_SECRET/);
    expect(JSON.stringify(provider)).not.toContain("super-secret-value");
    expect(String((error as Error).stack)).not.toContain("super-secret-value");
  });
});
