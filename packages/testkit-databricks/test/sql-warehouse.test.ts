import { createRequire } from "node:module";
import type { DBSQLClient } from "@databricks/sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PRINCIPALS, startWorkspaceEmulator, type WorkspaceEmulator } from "../src/index.js";
import { accessToken, connectDriver } from "./helpers.js";

// The driver's error classes are not exported from its index; deep-require them (CommonJS).
const require = createRequire(import.meta.url);
const { default: OperationStateError } =
  require("@databricks/sql/dist/errors/OperationStateError.js") as typeof import("@databricks/sql/dist/errors/OperationStateError.js");
type OperationStateError = InstanceType<typeof OperationStateError>;
const { THTTPException } =
  require("@databricks/sql/dist/connection/connections/ThriftHttpConnection.js") as typeof import("@databricks/sql/dist/connection/connections/ThriftHttpConnection.js");
type THTTPException = InstanceType<typeof THTTPException>;

describe("SQL warehouse through the real @databricks/sql driver", () => {
  let ws: WorkspaceEmulator;
  let client: DBSQLClient;
  let startupToFirstQueryMs = 0;

  beforeAll(async () => {
    const t0 = performance.now();
    ws = await startWorkspaceEmulator({ seed: 7, rowsPerTable: 120 });
    client = await connectDriver(ws, await accessToken(ws));
    const session = await client.openSession();
    const op = await session.executeStatement("SELECT 1 AS one");
    expect(await op.fetchAll()).toEqual([{ one: 1 }]);
    await op.close();
    await session.close();
    startupToFirstQueryMs = performance.now() - t0;
  });

  afterAll(async () => {
    await client?.close();
    await ws?.close();
  });

  it("starts and answers a first query in under 3 s", () => {
    console.log(`emulator start + OAuth + first query: ${startupToFirstQueryMs.toFixed(0)} ms`);
    expect(startupToFirstQueryMs).toBeLessThan(3000);
  });

  it("runs a parameterised window query over a seeded payload table", async () => {
    const table = ws.manifest.tables.find((t) => t.name === "support_agent_payload");
    const rows = table?.rows ?? [];
    const from = ws.manifest.now - 30 * 60_000;
    const to = ws.manifest.now - 5 * 60_000;
    const expected = rows.filter((r) => r.requestTime >= from && r.requestTime < to).length;
    expect(expected).toBeGreaterThan(0);

    const session = await client.openSession({ initialCatalog: "workspace", initialSchema: "default" });
    const op = await session.executeStatement(
      "SELECT count(*) AS n FROM `workspace`.`default`.`support_agent_payload` WHERE request_time >= :from AND request_time < :to",
      { namedParameters: { from: new Date(from), to: new Date(to) } },
    );
    expect(await op.fetchAll()).toEqual([{ n: expected }]);
    await op.close();
    await session.close();
  });

  it("returns every Databricks column type the way the driver converts them (Arrow, as a warehouse answers it)", async () => {
    const session = await client.openSession({ initialCatalog: "workspace", initialSchema: "default" });
    const op = await session.executeStatement(
      `SELECT 'x' AS s, CAST(5 AS INT) AS i, CAST(9007199254740 AS BIGINT) AS b, CAST(1.5 AS DOUBLE) AS d,
              CAST('2026-01-02 03:04:05.678' AS TIMESTAMP) AS ts, CAST('2026-01-02' AS DATE) AS dt,
              ['MAX_RESPONSE_SIZE_EXCEEDED'] AS arr, MAP {'endpoint_name': 'support-agent'} AS m, CAST(NULL AS STRING) AS n`,
    );
    const [row] = await op.fetchAll();
    expect(row).toEqual({
      s: "x",
      i: 5,
      b: 9007199254740,
      d: 1.5,
      // The driver asks for Arrow with native types: timestamps and dates arrive as Dates
      // (column-based results carry them as text; see result-encodings.test.ts).
      ts: new Date("2026-01-02T03:04:05.678Z"),
      dt: new Date("2026-01-02T00:00:00.000Z"),
      arr: ["MAX_RESPONSE_SIZE_EXCEEDED"],
      m: { endpoint_name: "support-agent" },
      n: null,
    });
    const schema = await op.getSchema();
    expect(schema?.columns.map((c) => c.typeDesc.types[0]?.primitiveEntry?.type)).toEqual([
      7, 3, 4, 6, 8, 17, 10, 11, 7,
    ]);
    await op.close();
    await session.close();
  });

  it("pages 50,000 rows through FetchResults in client-sized chunks", async () => {
    await ws.metastore.createTable({
      catalog: "workspace",
      schema: "default",
      name: "big_payload",
      columns: [
        { name: "id", type: "bigint" },
        { name: "body", type: "string" },
      ],
    });
    await ws.sql("INSERT INTO workspace.default.big_payload SELECT i, 'row ' || i FROM range(50000) r(i)");
    const fetchesBefore = ws.stats.fetchResultsCalls;
    const session = await client.openSession();
    const op = await session.executeStatement(
      "SELECT id, body FROM workspace.default.big_payload ORDER BY id",
      {
        maxRows: 10_000,
      },
    );
    const chunks: number[] = [];
    let last = -1;
    let ordered = true;
    do {
      const chunk = (await op.fetchChunk({ maxRows: 10_000 })) as { id: number }[];
      if (chunk.length > 0) chunks.push(chunk.length);
      for (const r of chunk) {
        if (r.id !== last + 1) ordered = false;
        last = r.id;
      }
    } while (await op.hasMoreRows());
    await op.close();
    await session.close();
    expect(chunks).toEqual([10_000, 10_000, 10_000, 10_000, 10_000]);
    expect(ordered).toBe(true);
    expect(last).toBe(49_999);
    // 1 batch rode on the ExecuteStatement reply (direct results), the rest came by FetchResults.
    expect(ws.stats.fetchResultsCalls - fetchesBefore).toBeGreaterThanOrEqual(5);
  });

  it("reports a missing table as TABLE_OR_VIEW_NOT_FOUND with SQLSTATE 42P01", async () => {
    const session = await client.openSession();
    const op = await session.executeStatement("SELECT * FROM `workspace`.`default`.`nope`");
    const error = await op.fetchAll().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OperationStateError);
    const e = error as OperationStateError;
    expect(e.message).toMatch(
      /^\[TABLE_OR_VIEW_NOT_FOUND\] The table or view `workspace`\.`default`\.`nope` cannot be found\./,
    );
    expect(e.response?.sqlState).toBe("42P01");
    await session.close();
  });

  it("enforces SELECT and USE SCHEMA grants with INSUFFICIENT_PERMISSIONS", async () => {
    const cases = [
      [PRINCIPALS.noSelect, "User does not have SELECT on Table 'workspace.default.support_agent_payload'."],
      [PRINCIPALS.noSchema, "User does not have USE SCHEMA on Schema 'workspace.default'."],
      [PRINCIPALS.nobody, "User does not have USE CATALOG on Catalog 'workspace'."],
    ] as const;
    for (const [principal, denial] of cases) {
      const other = await connectDriver(ws, (ws.principals[principal] as { pat: string }).pat);
      const session = await other.openSession();
      const op = await session.executeStatement(
        "SELECT count(*) FROM workspace.default.support_agent_payload",
      );
      const error = (await op.fetchAll().catch((e: unknown) => e)) as OperationStateError;
      expect(error).toBeInstanceOf(OperationStateError);
      expect(error.message).toBe(
        `[INSUFFICIENT_PERMISSIONS] Insufficient privileges: ${denial} SQLSTATE: 42501`,
      );
      expect(error.response?.sqlState).toBe("42501");
      await session.close();
      await other.close();
    }
  });

  it("answers an invalid token with HTTP 403 (THTTPException) and a stopped warehouse with 503", async () => {
    const bad = await connectDriver(ws, "dapi-not-a-real-token");
    const badError = (await bad.openSession().catch((e: unknown) => e)) as THTTPException;
    expect(badError).toBeInstanceOf(THTTPException);
    expect(badError.statusCode).toBe(403);
    await bad.close();

    ws.faults.stopWarehouse();
    try {
      const stopped = await connectDriver(ws, ws.credentials.pat);
      const stoppedError = (await stopped.openSession().catch((e: unknown) => e)) as THTTPException;
      expect(stoppedError).toBeInstanceOf(THTTPException);
      expect(stoppedError.statusCode).toBe(503);
      const res = await ws.fetch(`${ws.url}/api/2.0/sql/warehouses`, {
        headers: { Authorization: `Bearer ${ws.credentials.pat}` },
      });
      const body = (await res.json()) as { warehouses: { state: string }[] };
      expect(body.warehouses[0]?.state).toBe("STOPPED");
      await stopped.close();
    } finally {
      ws.faults.startWarehouse();
    }
  });

  it("holds a statement RUNNING for the injected SQL latency", async () => {
    ws.faults.setSqlLatency(300);
    try {
      const session = await client.openSession();
      const t0 = performance.now();
      const op = await session.executeStatement("SELECT 42 AS answer");
      expect(await op.fetchAll()).toEqual([{ answer: 42 }]);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
      await op.close();
      await session.close();
    } finally {
      ws.faults.setSqlLatency(0);
    }
  });

  it("serves the driver's metadata calls and SHOW TABLES / DESCRIBE, filtered by grants", async () => {
    const session = await client.openSession();
    const catalogs = await (await session.getCatalogs()).fetchAll();
    expect(catalogs).toEqual([{ TABLE_CAT: "workspace" }]);
    const schemas = await (await session.getSchemas({ catalogName: "workspace" })).fetchAll();
    expect(schemas.map((s) => (s as { TABLE_SCHEM: string }).TABLE_SCHEM).sort()).toEqual([
      "analytics",
      "default",
    ]);
    const tables = (await (
      await session.getTables({ catalogName: "workspace", schemaName: "default", tableName: "%_payload" })
    ).fetchAll()) as { TABLE_NAME: string }[];
    expect(tables.map((t) => t.TABLE_NAME)).toContain("legacy_recommender_payload");
    expect(tables.map((t) => t.TABLE_NAME)).not.toContain("orders");
    const columns = (await (
      await session.getColumns({
        catalogName: "workspace",
        schemaName: "default",
        tableName: "support_agent_payload",
      })
    ).fetchAll()) as { COLUMN_NAME: string; TYPE_NAME: string }[];
    expect(columns.map((c) => c.COLUMN_NAME)).toEqual([
      "databricks_request_id",
      "client_request_id",
      "request_date",
      "request_time",
      "status_code",
      "sampling_fraction",
      "execution_duration_ms",
      "request",
      "response",
      "logging_error_codes",
      "served_entity_id",
      "requester",
    ]);
    const show = (await (await session.executeStatement("SHOW TABLES IN workspace.default")).fetchAll()) as {
      tableName: string;
    }[];
    expect(show.map((t) => t.tableName)).toContain("orders");
    const describe = (await (
      await session.executeStatement("DESCRIBE TABLE workspace.default.legacy_recommender_payload")
    ).fetchAll()) as { col_name: string; data_type: string }[];
    expect(describe.find((c) => c.col_name === "request_metadata")?.data_type).toBe("map<string,string>");
    await session.close();
  });

  it("inserts through SQL (MODIFY grant) and reports affected rows", async () => {
    const admin = await connectDriver(ws, await accessToken(ws, "pipekit-admin"));
    const session = await admin.openSession({ initialCatalog: "workspace", initialSchema: "default" });
    const op = await session.executeStatement(
      "INSERT INTO orders (order_id, customer_email, amount, status, created_at) VALUES (:id, 'x@example.com', 1.0, 'paid', :ts)",
      { namedParameters: { id: 100_001, ts: new Date() } },
    );
    expect(await op.fetchAll()).toEqual([{ num_affected_rows: 1, num_inserted_rows: 1 }]);
    await session.close();
    await admin.close();
    const denied = await client.openSession();
    const op2 = await denied.executeStatement("DELETE FROM workspace.default.orders");
    const error = (await op2.fetchAll().catch((e: unknown) => e)) as OperationStateError;
    expect(error.message).toContain("User does not have MODIFY on Table 'workspace.default.orders'.");
    await denied.close();
    expect(await ws.sql("SELECT count(*) AS n FROM workspace.default.orders")).toEqual([{ n: 51n }]);
  });
});
