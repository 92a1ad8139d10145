import { describe, expect, it } from "vitest";
import { PatTokenProvider } from "../src/auth/token-provider.js";
import { AgentDiscovery } from "../src/discovery/discovery.js";
import { DatabricksAccessDeniedError, NoAgentTablesError } from "../src/errors/errors.js";
import type { HttpTransport } from "../src/http/http-client.js";
import { DatabricksRestClient } from "../src/http/rest-client.js";
import { recordingLogger } from "./helpers.js";

const GATEWAY_COLUMNS = [
  "databricks_request_id",
  "request_time",
  "status_code",
  "request",
  "response",
  "requester",
];
const LEGACY_COLUMNS = ["databricks_request_id", "timestamp_ms", "status_code", "request", "response"];

type Route = (url: URL) => { status: number; body: unknown } | undefined;

function fakeWorkspace(route: Route) {
  const urls: URL[] = [];
  const transport: HttpTransport = {
    async request(req) {
      const url = new URL(req.url);
      urls.push(url);
      const answer = route(url) ?? { status: 404, body: { error_code: "NOT_FOUND", message: url.pathname } };
      return { status: answer.status, headers: new Headers(), text: JSON.stringify(answer.body) };
    },
  };
  const rest = new DatabricksRestClient("https://ws.test", transport, new PatTokenProvider("pat"));
  return { rest, urls };
}

const endpoints = {
  endpoints: [
    {
      name: "support-agent",
      task: "agent/v2/chat",
      state: { ready: "READY" },
      config: {
        served_entities: [
          { name: "support-3", entity_name: "workspace.default.support", entity_version: "3" },
        ],
      },
      ai_gateway: {
        inference_table_config: {
          catalog_name: "workspace",
          schema_name: "default",
          table_name_prefix: "support",
          enabled: true,
        },
      },
    },
    {
      name: "plain-llm",
      task: "llm/v1/chat",
      config: { served_entities: [{ name: "gpt", entity_name: "system.ai.gpt" }] },
    },
  ],
};

function standardRoutes(tablePages: { tables?: unknown[]; next_page_token?: string }[]): Route {
  return (url) => {
    const p = url.pathname;
    if (p === "/api/2.0/serving-endpoints") return { status: 200, body: endpoints };
    if (p === "/api/2.1/unity-catalog/tables") {
      const page = Number(url.searchParams.get("page_token") ?? "0");
      return { status: 200, body: tablePages[page] };
    }
    const table = /^\/api\/2\.1\/unity-catalog\/tables\/(.+)$/.exec(p);
    if (table) {
      const name = decodeURIComponent(table[1]!);
      const columns = name.endsWith("legacy_payload")
        ? LEGACY_COLUMNS
        : name.includes("payload")
          ? GATEWAY_COLUMNS
          : ["a", "b"];
      return { status: 200, body: { full_name: name, columns: columns.map((c) => ({ name: c })) } };
    }
    if (p === "/api/2.1/unity-catalog/models/workspace.default.support") {
      return {
        status: 200,
        body: {
          full_name: "workspace.default.support",
          aliases: [{ alias_name: "champion", version_num: 3 }],
        },
      };
    }
    if (p === "/api/2.1/unity-catalog/models/workspace.default.support/versions") {
      return { status: 200, body: { model_versions: [{ version: 2 }, { version: 3 }] } };
    }
    return undefined;
  };
}

describe("AgentDiscovery", () => {
  it("follows pages until next_page_token is absent (even across empty pages) and classifies by columns", async () => {
    const { rest, urls } = fakeWorkspace(
      standardRoutes([
        { tables: [{ name: "support_payload" }, { name: "orders" }], next_page_token: "1" },
        { tables: [], next_page_token: "2" },
        { tables: [{ name: "old_legacy_payload" }] },
      ]),
    );
    const discovery = new AgentDiscovery(
      rest,
      { workspace: "ws.test", catalog: "workspace", schema: "default", prefix: "" },
      recordingLogger(),
    );
    const { inventory, tables } = await discovery.discover();
    expect(tables.map((t) => [t.fullName, t.kind])).toEqual([
      ["workspace.default.support_payload", "ai-gateway"],
      ["workspace.default.old_legacy_payload", "legacy"],
    ]);
    expect(tables[0]!.agent).toEqual({
      endpoint: "support-agent",
      task: "agent/v2/chat",
      model: "workspace.default.support",
      modelVersion: "3",
    });
    expect(tables[0]!.servedEntities.get("support-3")?.model).toBe("workspace.default.support");
    expect(tables[1]!.agent).toEqual({ endpoint: "old_legacy" }); // no endpoint links it: named after the table
    expect(inventory.agents).toEqual([
      {
        endpoint: "support-agent",
        task: "agent/v2/chat",
        ready: "READY",
        models: [
          {
            fullName: "workspace.default.support",
            servedVersions: ["3"],
            aliases: { champion: "3" },
            versions: ["3", "2"],
          },
        ],
        tables: ["workspace.default.support_payload"],
      },
    ]);
    const listCalls = urls.filter((u) => u.pathname === "/api/2.1/unity-catalog/tables");
    expect(listCalls).toHaveLength(3);
    expect(listCalls.every((u) => u.searchParams.get("omit_columns") === "true")).toBe(true);
  });

  it("filters by prefix before describing tables; a hostile prefix is only a name filter", async () => {
    const { rest, urls } = fakeWorkspace(
      standardRoutes([{ tables: [{ name: "support_payload" }, { name: "other_payload" }] }]),
    );
    const discovery = new AgentDiscovery(
      rest,
      { workspace: "ws.test", catalog: "workspace", schema: "default", prefix: "support" },
      recordingLogger(),
    );
    const { tables } = await discovery.discover();
    expect(tables.map((t) => t.fullName)).toEqual(["workspace.default.support_payload"]);
    expect(urls.some((u) => u.pathname.endsWith("other_payload"))).toBe(false);

    const hostile = new AgentDiscovery(
      rest,
      { workspace: "ws.test", catalog: "workspace", schema: "default", prefix: "x'; DROP TABLE y; --" },
      recordingLogger(),
    );
    const error = await hostile.discover().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoAgentTablesError);
    expect((error as Error).message).toBe(
      "No agent tables matched prefix 'x'; DROP TABLE y; --' in workspace.default: found support_payload, other_payload",
    );
  });

  it("names the missing grant when the catalog is not readable", async () => {
    const { rest } = fakeWorkspace((url) =>
      url.pathname === "/api/2.1/unity-catalog/tables"
        ? {
            status: 403,
            body: {
              error_code: "PERMISSION_DENIED",
              message: "User does not have USE CATALOG on Catalog 'workspace'.",
            },
          }
        : { status: 200, body: { endpoints: [] } },
    );
    const discovery = new AgentDiscovery(
      rest,
      { workspace: "ws.test", catalog: "workspace", schema: "default", prefix: "" },
      recordingLogger(),
    );
    const error = await discovery.discover().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabricksAccessDeniedError);
    expect((error as Error).message).toBe(
      "Access denied to catalog/schema: the service principal lacks USE CATALOG on catalog 'workspace'",
    );
    expect((error as DatabricksAccessDeniedError).hint).toContain("GRANT USE CATALOG ON CATALOG workspace");
  });
});
