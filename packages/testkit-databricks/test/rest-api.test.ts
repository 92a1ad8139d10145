import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PRINCIPALS, startWorkspaceEmulator, type WorkspaceEmulator } from "../src/index.js";
import { accessToken, fetchM2MToken, restGet } from "./helpers.js";

/** Follows next_page_token to the end, recording each page's size. */
async function listAll(ws: WorkspaceEmulator, path: string, key: string, token: string) {
  const pages: number[] = [];
  const items: Record<string, unknown>[] = [];
  let pageToken: string | undefined;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const res = await restGet(
      ws,
      `${path}${pageToken ? `${sep}page_token=${encodeURIComponent(pageToken)}` : ""}`,
      token,
    );
    expect(res.status).toBe(200);
    const page = (res.body[key] ?? []) as Record<string, unknown>[];
    pages.push(page.length);
    items.push(...page);
    pageToken = res.body.next_page_token as string | undefined;
  } while (pageToken);
  return { pages, items };
}

describe("REST surface over real HTTPS", () => {
  let ws: WorkspaceEmulator;
  let token: string;

  beforeAll(async () => {
    ws = await startWorkspaceEmulator({ seed: 3, rowsPerTable: 20, pageSize: 3, tracesPerAgent: 7 });
    token = await accessToken(ws);
  });
  afterAll(async () => {
    await ws?.close();
  });

  describe("OAuth M2M", () => {
    it("publishes the discovery document", async () => {
      const res = await ws.fetch(`${ws.url}/oidc/.well-known/oauth-authorization-server`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, string>;
      expect(body.token_endpoint).toBe(`${ws.url}/oidc/v1/token`);
      expect(body.authorization_endpoint).toBe(`${ws.url}/oidc/v1/authorize`);
    });

    it("issues a JWT-shaped bearer token with exp = iat + lifetime", async () => {
      const res = await fetchM2MToken(ws, ws.credentials.clientId, ws.credentials.clientSecret);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
      expect(body.token_type).toBe("Bearer");
      expect(body.expires_in).toBe(3600);
      const claims = JSON.parse(
        Buffer.from(body.access_token.split(".")[1] ?? "", "base64url").toString(),
      ) as {
        exp: number;
        iat: number;
      };
      expect(claims.exp - claims.iat).toBe(3600);
    });

    it("answers bad client credentials with 401 invalid_client and no secret echo", async () => {
      const res = await fetchM2MToken(ws, ws.credentials.clientId, "wrong-secret");
      expect(res.status).toBe(401);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({
        error: "invalid_client",
        error_description: "Client authentication failed",
      });
      expect(text).not.toContain("wrong-secret");
    });

    it("rejects an expired token with 403 Invalid access token (numeric error_code + reason header)", async () => {
      ws.tokens.ttlSeconds = 1;
      const short = await accessToken(ws);
      ws.tokens.ttlSeconds = 3600;
      // Poll (with a deadline) until the token's exp has passed.
      const deadline = Date.now() + 5000;
      let res = await restGet(ws, "/api/2.0/sql/warehouses", short);
      while (res.status === 200 && Date.now() < deadline)
        res = await restGet(ws, "/api/2.0/sql/warehouses", short);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error_code: 403, message: "Invalid access token." });
      expect(res.headers.get("x-databricks-reason-phrase")).toBe("Invalid access token.");
    });

    it("revokes tokens mid-run; a newly fetched token works again", async () => {
      const before = await accessToken(ws);
      expect((await restGet(ws, "/api/2.0/serving-endpoints", before)).status).toBe(200);
      ws.tokens.revokeAll();
      const after = await restGet(ws, "/api/2.0/serving-endpoints", before);
      expect(after.status).toBe(403);
      expect(after.body.error_code).toBe(403);
      token = await accessToken(ws);
      expect((await restGet(ws, "/api/2.0/serving-endpoints", token)).status).toBe(200);
    });

    it("accepts personal access tokens and answers a missing credential with 401", async () => {
      expect((await restGet(ws, "/api/2.0/sql/warehouses", ws.credentials.pat)).status).toBe(200);
      const res = await ws.fetch(`${ws.url}/api/2.0/sql/warehouses`);
      expect(res.status).toBe(401);
    });
  });

  describe("Unity Catalog", () => {
    it("paginates tables with short and empty pages until next_page_token is absent", async () => {
      const { pages, items } = await listAll(
        ws,
        "/api/2.1/unity-catalog/tables?catalog_name=workspace&schema_name=default",
        "tables",
        token,
      );
      const expected = ws.manifest.tables.filter((t) => t.catalog === "workspace" && t.schema === "default");
      expect(items.map((t) => t.name).sort()).toEqual(expected.map((t) => t.name).sort());
      expect(pages.length).toBeGreaterThan(2);
      expect(pages).toContain(0);
      expect(Math.max(...pages)).toBeLessThanOrEqual(3);
    });

    it("returns TableInfo with typed columns for a payload table", async () => {
      const res = await restGet(
        ws,
        "/api/2.1/unity-catalog/tables/workspace.default.support_agent_payload",
        token,
      );
      expect(res.status).toBe(200);
      const columns = res.body.columns as {
        name: string;
        type_text: string;
        type_name: string;
        position: number;
      }[];
      expect(columns.find((c) => c.name === "logging_error_codes")).toMatchObject({
        type_text: "array<string>",
        type_name: "ARRAY",
        position: 9,
      });
      expect(columns.find((c) => c.name === "execution_duration_ms")?.type_name).toBe("LONG");
      expect(res.body.full_name).toBe("workspace.default.support_agent_payload");
      expect(res.body.table_type).toBe("MANAGED");
    });

    it("paginates catalogs, schemas, models and model versions; aliases on request", async () => {
      const admin = await accessToken(ws, "pipekit-admin");
      expect(
        (await listAll(ws, "/api/2.1/unity-catalog/catalogs", "catalogs", admin)).items.map((c) => c.name),
      ).toEqual(["workspace", "finance"]);
      const schemas = await listAll(
        ws,
        "/api/2.1/unity-catalog/schemas?catalog_name=workspace",
        "schemas",
        token,
      );
      expect(schemas.items.map((s) => s.name).sort()).toEqual(["analytics", "default"]);
      const models = await listAll(
        ws,
        "/api/2.1/unity-catalog/models?catalog_name=workspace&schema_name=default",
        "registered_models",
        token,
      );
      expect(models.items.map((m) => m.full_name).sort()).toEqual(
        ws.manifest.agents.map((a) => a.model).sort(),
      );
      expect(models.pages.length).toBeGreaterThan(2);
      const agent = ws.manifest.agents.find((a) => a.modelVersions >= 2);
      if (!agent) throw new Error("seed has no multi-version model");
      const model = await restGet(
        ws,
        `/api/2.1/unity-catalog/models/${agent.model}?include_aliases=true`,
        token,
      );
      expect(model.body.aliases).toEqual(
        Object.entries(agent.aliases).map(([alias_name, version_num]) => ({ alias_name, version_num })),
      );
      const versions = await listAll(
        ws,
        `/api/2.1/unity-catalog/models/${agent.model}/versions`,
        "model_versions",
        token,
      );
      expect(versions.items.map((v) => v.version)).toEqual(
        Array.from({ length: agent.modelVersions }, (_, i) => i + 1),
      );
    });

    it("denies access with 403 PERMISSION_DENIED naming the missing privilege", async () => {
      const noSchema = await accessToken(ws, PRINCIPALS.noSchema);
      const res = await restGet(
        ws,
        "/api/2.1/unity-catalog/tables?catalog_name=workspace&schema_name=default",
        noSchema,
      );
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        error_code: "PERMISSION_DENIED",
        message: "User does not have USE SCHEMA on Schema 'workspace.default'.",
      });
      const finance = await restGet(ws, "/api/2.1/unity-catalog/schemas?catalog_name=finance", token);
      expect(finance.status).toBe(403);
      expect(finance.body.message).toBe("User does not have USE CATALOG on Catalog 'finance'.");
    });

    it("revoking a grant mid-run turns reads into 403", async () => {
      const noSelect = await accessToken(ws, PRINCIPALS.noSelect);
      ws.grants.grant(PRINCIPALS.noSelect, "SELECT", "workspace.default.orders");
      expect(
        (await restGet(ws, "/api/2.1/unity-catalog/tables/workspace.default.orders", noSelect)).status,
      ).toBe(200);
      ws.grants.revoke(PRINCIPALS.noSelect, "SELECT", "workspace.default.orders");
      const res = await restGet(ws, "/api/2.1/unity-catalog/tables/workspace.default.orders", noSelect);
      expect(res.status).toBe(403);
      expect(res.body.message).toBe("User does not have SELECT on Table 'workspace.default.orders'.");
    });

    it("answers unknown objects with the Databricks 404 codes", async () => {
      const cases: [string, string][] = [
        ["/api/2.1/unity-catalog/schemas?catalog_name=nope", "CATALOG_DOES_NOT_EXIST"],
        ["/api/2.1/unity-catalog/tables?catalog_name=workspace&schema_name=nope", "SCHEMA_DOES_NOT_EXIST"],
        ["/api/2.1/unity-catalog/tables/workspace.default.nope", "TABLE_DOES_NOT_EXIST"],
        ["/api/2.0/serving-endpoints/nope", "RESOURCE_DOES_NOT_EXIST"],
        ["/api/2.1/nothing-here", "ENDPOINT_NOT_FOUND"],
      ];
      for (const [path, code] of cases) {
        const res = await restGet(ws, path, token);
        expect([path, res.status, res.body.error_code]).toEqual([path, 404, code]);
      }
    });
  });

  describe("serving endpoints, warehouses, traces", () => {
    it("lists agent endpoints with served entities and inference table config", async () => {
      const res = await restGet(ws, "/api/2.0/serving-endpoints", token);
      const endpoints = res.body.endpoints as Record<string, unknown>[];
      expect(endpoints.map((e) => e.name)).toEqual(ws.manifest.agents.map((a) => a.endpoint));
      expect(new Set(endpoints.map((e) => e.task))).toEqual(
        new Set(["agent/v2/chat", "agent/v1/responses", "llm/v1/chat", "agent/v1/chat"]),
      );
      const one = await restGet(ws, "/api/2.0/serving-endpoints/support-agent", token);
      expect(one.body).toMatchObject({
        task: "agent/v2/chat",
        config: { served_entities: [{ entity_name: "workspace.default.support_agent" }] },
        ai_gateway: {
          inference_table_config: {
            catalog_name: "workspace",
            schema_name: "default",
            table_name_prefix: "support_agent",
            enabled: true,
          },
        },
      });
      const legacy = await restGet(ws, "/api/2.0/serving-endpoints/legacy-recommender", token);
      expect(legacy.body).toMatchObject({
        config: {
          auto_capture_config: {
            table_name_prefix: "legacy_recommender",
            state: { payload_table: { name: "legacy_recommender_payload" } },
          },
        },
      });
    });

    it("lists the SQL warehouse with its odbc path", async () => {
      const res = await restGet(ws, "/api/2.0/sql/warehouses", token);
      expect(res.body.warehouses).toMatchObject([
        {
          id: ws.warehouseId,
          state: "RUNNING",
          odbc_params: { path: ws.httpPath, protocol: "https", port: ws.port },
        },
      ]);
    });

    it("searches MLflow traces with paging and a time filter, and gets one by id", async () => {
      const agent = ws.manifest.agents.find((a) => a.task === "agent/v1/responses");
      if (!agent) throw new Error("no responses agent");
      const search = async (body: Record<string, unknown>) => {
        const res = await ws.fetch(`${ws.url}/api/3.0/mlflow/traces/search`, {
          method: "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          body: JSON.stringify(body),
        });
        return {
          status: res.status,
          body: (await res.json()) as { traces?: { trace_id: string }[]; next_page_token?: string },
        };
      };
      const locations = [
        { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: agent.experimentId } },
      ];
      const all: string[] = [];
      let pageToken: string | undefined;
      let pages = 0;
      do {
        const res = await search({
          locations,
          max_results: 3,
          ...(pageToken ? { page_token: pageToken } : {}),
        });
        expect(res.status).toBe(200);
        all.push(...(res.body.traces ?? []).map((t) => t.trace_id));
        pageToken = res.body.next_page_token;
        pages++;
      } while (pageToken);
      expect(all).toHaveLength(7);
      expect(pages).toBe(3);
      const recent = await search({ locations, filter: `timestamp_ms >= ${ws.manifest.now - 30 * 60_000}` });
      expect((recent.body.traces ?? []).length).toBeLessThan(7);
      const one = await restGet(ws, `/api/3.0/mlflow/traces/${all[0]}`, token);
      expect((one.body.trace as { trace_info: { trace_id: string } }).trace_info.trace_id).toBe(all[0]);
      expect((await search({ locations, max_results: 501 })).status).toBe(400);
    });
  });

  describe("faults", () => {
    it("throttles a path prefix with 429 + Retry-After for `count` requests", async () => {
      ws.faults.inject({
        type: "http-error",
        status: 429,
        retryAfterSeconds: 2,
        pathPrefix: "/api/2.1/unity-catalog",
        count: 2,
      });
      const path = "/api/2.1/unity-catalog/catalogs";
      const first = await restGet(ws, path, token);
      expect(first.status).toBe(429);
      expect(first.headers.get("retry-after")).toBe("2");
      expect(first.body.error_code).toBe("TOO_MANY_REQUESTS");
      expect((await restGet(ws, "/api/2.0/sql/warehouses", token)).status).toBe(200);
      expect((await restGet(ws, path, token)).status).toBe(429);
      expect((await restGet(ws, path, token)).status).toBe(200);
    });

    it("answers 503 TEMPORARILY_UNAVAILABLE and resets connections on demand", async () => {
      ws.faults.inject({ type: "http-error", status: 503, count: 1 });
      const res = await restGet(ws, "/api/2.0/serving-endpoints", token);
      expect([res.status, res.body.error_code]).toEqual([503, "TEMPORARILY_UNAVAILABLE"]);
      ws.faults.inject({ type: "connection-reset", pathPrefix: "/api/2.0/serving-endpoints", count: 1 });
      const error = await ws
        .fetch(`${ws.url}/api/2.0/serving-endpoints`, { headers: { Authorization: `Bearer ${token}` } })
        .then(
          () => undefined,
          (e: unknown) => e as Error & { cause?: { code?: string } },
        );
      expect(error?.message).toBe("fetch failed");
      expect(["ECONNRESET", "UND_ERR_SOCKET"]).toContain(error?.cause?.code);
      expect((await restGet(ws, "/api/2.0/serving-endpoints", token)).status).toBe(200);
    });

    it("adds latency and simulates token expiry through the admin endpoint", async () => {
      const post = (path: string, body: unknown) =>
        ws.fetch(`${ws.url}/__emulator${path}`, { method: "POST", body: JSON.stringify(body) });
      expect((await post("/faults", { type: "latency", latencyMs: 200, count: 1 })).status).toBe(200);
      const t0 = performance.now();
      expect((await restGet(ws, "/api/2.0/sql/warehouses", token)).status).toBe(200);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
      await post("/faults", { type: "invalid-token", count: 1 });
      const res = await restGet(ws, "/api/2.0/sql/warehouses", token);
      expect([res.status, res.body.message]).toEqual([403, "Invalid access token."]);
      const bad = await post("/faults", { type: "http-error", status: 418 });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toContain(
        "status must be 429, 500, 502, 503 or 504",
      );
      await ws.fetch(`${ws.url}/__emulator/faults`, { method: "DELETE" });
      expect(ws.faults.list()).toEqual([]);
    });
  });
});
