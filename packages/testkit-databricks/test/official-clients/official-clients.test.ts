import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorkspaceEmulator, type WorkspaceEmulator } from "../../src/index.js";
import { oracleVenv } from "./python-venv.js";

const run = promisify(execFile);
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

interface OracleResult {
  sdk: {
    auth_type: string;
    discovery_url: string | null;
    workspace_id: string | null;
    catalogs: string[];
    schemas: string[];
    tables: string[];
    table_get: { full_name: string; table_type: string; columns: string[]; type_names: string[] };
    endpoints: string[];
    endpoint_get: { name: string; task: string };
    warehouses: { id: string; state: string; path: string }[];
    traces: { count: number; pages: number; ids: string[] };
    trace_get: boolean;
  };
  sql: {
    params_row: Record<string, unknown>;
    description: [string, string][];
    window_count: number;
    meta_catalogs: string[];
    meta_schemas: string[];
    meta_tables: string[];
    meta_columns: string[];
    big: { count: number; ordered: boolean };
  };
}

// Databricks' own Python packages (databricks-sdk, databricks-sql-connector) drive the emulator
// with their default settings; where they disagree with it, the emulator is wrong.
describe("Databricks' official Python clients against the emulator", () => {
  let ws: WorkspaceEmulator;
  let result: OracleResult;

  beforeAll(async () => {
    const { python } = await oracleVenv();
    // A low cloud-fetch threshold so the connector's large query comes back as presigned links.
    ws = await startWorkspaceEmulator({
      seed: 5,
      rowsPerTable: 40,
      now: NOW,
      cloudFetchThresholdBytes: 512 * 1024,
    });
    const table = ws.manifest.tables.find((t) => t.kind === "ai_gateway_payload");
    if (!table) throw new Error("the seed has no payload table");
    const { stdout } = await run(python, [join(import.meta.dirname, "oracle.py")], {
      timeout: 240_000,
      maxBuffer: 16 * 2 ** 20,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        DATABRICKS_HOST: ws.url,
        DATABRICKS_CLIENT_ID: ws.credentials.clientId,
        DATABRICKS_CLIENT_SECRET: ws.credentials.clientSecret,
        REQUESTS_CA_BUNDLE: ws.caFile,
        SSL_CERT_FILE: ws.caFile,
        ORACLE_HTTP_PATH: ws.httpPath,
        ORACLE_TABLE: table.fullName,
        ORACLE_WINDOW_START_MS: String(NOW - 30 * 60_000),
        ORACLE_EXPERIMENT_IDS: JSON.stringify(ws.manifest.agents.map((a) => a.experimentId)),
      },
    }).catch((error: { stderr?: string; message: string }) => {
      throw new Error(
        `oracle.py failed: ${error.stderr?.trim().split("\n").slice(-15).join("\n") ?? error.message}`,
      );
    });
    result = JSON.parse(stdout) as OracleResult;
  }, 900_000);

  afterAll(async () => {
    await ws?.close();
  });

  it("databricks-sdk: OAuth M2M with default settings, the OIDC endpoint found through host metadata", () => {
    expect(result.sdk.auth_type).toBe("oauth-m2m");
    expect(result.sdk.discovery_url).toBe(`${ws.url}/oidc/.well-known/oauth-authorization-server`);
    expect(result.sdk.workspace_id).toMatch(/^\d+$/);
  });

  it("databricks-sdk: Unity Catalog catalogs, schemas, tables (list and get)", () => {
    expect(result.sdk.catalogs).toContain("workspace");
    expect(result.sdk.schemas).toContain("default");
    const expected = ws.metastore.listTables("workspace", "default").map((t) => t.full_name);
    expect(result.sdk.tables).toEqual([...expected].sort());
    const got = ws.metastore.getTable(result.sdk.table_get.full_name);
    expect(result.sdk.table_get.columns).toEqual(got?.columns.map((c) => c.name));
    expect(result.sdk.table_get.table_type).toBe(got?.table_type);
  });

  it("databricks-sdk: serving endpoints and SQL warehouses", () => {
    expect(result.sdk.endpoints).toEqual(ws.manifest.agents.map((a) => a.endpoint).sort());
    const agent = ws.manifest.agents.find((a) => a.endpoint === result.sdk.endpoint_get.name);
    expect(result.sdk.endpoint_get.task).toBe(agent?.task);
    expect(result.sdk.warehouses).toEqual([{ id: ws.warehouseId, state: "RUNNING", path: ws.httpPath }]);
  });

  it("databricks-sdk's API client: MLflow trace search pages to the end, and a trace by id", () => {
    expect(result.sdk.traces.count).toBeGreaterThan(0);
    expect(result.sdk.traces.pages).toBeGreaterThan(1);
    expect(new Set(result.sdk.traces.ids).size).toBe(result.sdk.traces.count);
    expect(result.sdk.trace_get).toBe(true);
  });

  it("databricks-sql-connector: named parameters, and types as it decodes them from Arrow", () => {
    expect(result.sql.params_row).toEqual({
      n1: 42,
      s: "hello",
      ts: "2026-01-02T03:04:05.678000",
      dec: "12.345",
      m: { k: "v" },
      arr: ["a", "b"],
    });
    expect(result.sql.description).toEqual([
      ["n1", "int"],
      ["s", "string"],
      ["ts", "timestamp"],
      ["dec", "decimal"],
      ["m", "map"],
      ["arr", "array"],
    ]);
    expect(result.sql.window_count).toBeGreaterThan(0);
  });

  it("databricks-sql-connector: metadata calls (catalogs, schemas, tables, columns)", () => {
    expect(result.sql.meta_catalogs).toEqual(["workspace"]);
    expect(result.sql.meta_schemas).toContain("default");
    expect(result.sql.meta_tables).toEqual(
      ws.metastore
        .listTables("workspace", "default")
        .map((t) => t.name)
        .sort(),
    );
    expect(result.sql.meta_columns.length).toBeGreaterThan(5);
  });

  it("databricks-sql-connector: offers LZ4, so small results come as LZ4-compressed Arrow", () => {
    expect(ws.stats.resultEncodings["arrow-lz4"]).toBeGreaterThan(0);
    expect(ws.stats.resultEncodings.arrow).toBe(0);
    // Metadata calls carry no Arrow capabilities: column-based.
    expect(ws.stats.resultEncodings.columns).toBeGreaterThanOrEqual(4);
  });

  it("databricks-sql-connector: a large result by cloud fetch (LZ4 files), downloaded without credentials", () => {
    expect(result.sql.big).toEqual({ count: 30_000, ordered: true });
    expect(ws.stats.resultEncodings["links-lz4"]).toBe(1);
    expect(ws.resultLinks.downloaded).toBeGreaterThan(0);
    expect(ws.resultLinks.refused).toBe(0);
  });
});
