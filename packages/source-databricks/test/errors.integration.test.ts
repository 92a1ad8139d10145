import { MemoryCheckpointStore } from "@pipekit/core/builtins";
import { PRINCIPALS, startWorkspaceEmulator, type WorkspaceEmulator } from "@pipekit/testkit-databricks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createDatabricksSource,
  DatabricksAccessDeniedError,
  DatabricksAuthError,
  DatabricksConnectionError,
  type DatabricksSourceConfigInput,
  NoAgentTablesError,
  NoReadableAgentTablesError,
  NoRunningWarehouseError,
} from "../src/index.js";
import { runCycle, sourceContext, summingMeter } from "./harness.js";
import { recordingLogger } from "./helpers.js";

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

describe("errors a person can act on (emulator faults)", () => {
  let ws: WorkspaceEmulator;
  const opened: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    ws = await startWorkspaceEmulator({ seed: 5, rowsPerTable: 12, agents: 1, now: NOW });
  });
  afterEach(async () => {
    ws.faults.clear();
    for (const s of opened.splice(0)) await s.close();
  });
  afterAll(async () => {
    await ws?.close();
  });

  function source(overrides: Partial<DatabricksSourceConfigInput> = {}) {
    const s = createDatabricksSource(
      {
        host: ws.url,
        clientId: ws.credentials.clientId,
        clientSecret: ws.credentials.clientSecret,
        caCert: ws.caPem,
        restMaxRetries: 1,
        ...overrides,
      },
      { now: () => NOW, retryBaseDelayMs: 5 },
    );
    opened.push(s);
    return s;
  }

  async function failure(
    overrides: Partial<DatabricksSourceConfigInput> = {},
  ): Promise<Error & { hint?: string }> {
    const error = await runCycle(source(overrides), new MemoryCheckpointStore()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    return error as Error & { hint?: string };
  }

  it("untrusted TLS certificate: Failed to connect, naming the host", async () => {
    const error = await failure({ caCert: undefined });
    expect(error).toBeInstanceOf(DatabricksConnectionError);
    expect(error.message).toMatch(
      new RegExp(`^Failed to connect to Databricks workspace ${ws.host}: .*certificate`),
    );
    expect(error.hint).toMatch(/DATABRICKS_HOST/);
  });

  it("connections reset by the host: retried, then Failed to connect", async () => {
    ws.faults.inject({ type: "connection-reset", pathPrefix: "/oidc" });
    const error = await failure();
    expect(error).toBeInstanceOf(DatabricksConnectionError);
    expect(error.message).toMatch(
      new RegExp(
        `^Failed to connect to Databricks workspace ${ws.host}: .*(ECONNRESET|socket|other side closed)`,
      ),
    );
  });

  it("a wrong client secret: Authentication failed: invalid client credentials, secret not echoed", async () => {
    const logger = recordingLogger();
    const store = new MemoryCheckpointStore();
    const wrong = "dose-not-the-right-secret";
    const outcome: unknown = await runCycle(source({ clientSecret: wrong }), store, {
      ...sourceContext(store),
      logger,
    }).catch((e: unknown) => e);
    const error = outcome as Error & { hint: string };
    expect(error).toBeInstanceOf(DatabricksAuthError);
    expect(error.message).toBe("Authentication failed: invalid client credentials");
    expect(error.hint).toMatch(/DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET/);
    expect(JSON.stringify({ error, stack: error.stack, logs: logger.lines })).not.toContain(wrong);
  });

  it("a revoked personal access token: Authentication failed", async () => {
    ws.tokens.revoke(ws.credentials.pat);
    try {
      const error = await failure({
        clientId: undefined,
        clientSecret: undefined,
        token: ws.credentials.pat,
      });
      expect(error).toBeInstanceOf(DatabricksAuthError);
      expect(error.message).toMatch(/^Authentication failed: /);
      expect(error.message).not.toContain(ws.credentials.pat);
    } finally {
      // Other tests use OAuth; the PAT stays revoked, which they do not rely on.
    }
  });

  it("USE CATALOG missing: Access denied naming the grant", async () => {
    ws.grants.revoke(PRINCIPALS.connector, "USE CATALOG", "workspace");
    try {
      const error = await failure();
      expect(error).toBeInstanceOf(DatabricksAccessDeniedError);
      expect(error.message).toBe(
        "Access denied to catalog/schema: the service principal lacks USE CATALOG on catalog 'workspace'",
      );
      expect(error.hint).toMatch(/GRANT USE CATALOG ON CATALOG workspace/);
    } finally {
      ws.grants.grant(PRINCIPALS.connector, "USE CATALOG", "workspace");
    }
  });

  it("USE SCHEMA missing (a principal with USE CATALOG only): Access denied naming the schema", async () => {
    const p = ws.principals[PRINCIPALS.noSchema]!;
    const error = await failure({ clientId: p.clientId, clientSecret: p.clientSecret });
    expect(error).toBeInstanceOf(DatabricksAccessDeniedError);
    expect(error.message).toBe(
      "Access denied to catalog/schema: the service principal lacks USE SCHEMA on schema 'workspace.default'",
    );
  });

  it("a prefix that matches nothing: No agent tables matched, listing what exists", async () => {
    const error = await failure({ prefix: "x'; DROP TABLE y; --" });
    expect(error).toBeInstanceOf(NoAgentTablesError);
    expect(error.message).toMatch(
      /^No agent tables matched prefix 'x'; DROP TABLE y; --' in workspace\.default: found /,
    );
    const payload = ws.manifest.tables.find((t) => t.kind === "ai_gateway_payload")!;
    expect(error.message).toContain(payload.name);
    expect(error.hint).toMatch(/DATABRICKS_PREFIX/);
    // The hostile prefix reached no SQL: it only filtered names from the REST listing.
    expect(ws.stats.statements.some((s) => s.includes("DROP"))).toBe(false);
  });

  it("no running warehouse: names what was found and what to do", async () => {
    ws.faults.stopWarehouse();
    const error = await failure();
    expect(error).toBeInstanceOf(NoRunningWarehouseError);
    expect(error.message).toBe(
      `No running SQL warehouse found in ${ws.host}: found Emulator Serverless (STOPPED) — start one or set warehouseId`,
    );
  });

  it("SELECT revoked on the schema: no agent table readable fails the cycle, naming the grant", async () => {
    ws.grants.revoke(PRINCIPALS.connector, "SELECT", "workspace.default");
    try {
      const error = await failure();
      expect(error).toBeInstanceOf(NoReadableAgentTablesError);
      expect((error as NoReadableAgentTablesError).class).toBe("fatal");
      expect(error.message).toMatch(
        /^No agent table could be read in workspace\.default: all \d+ matching table\(s\) were refused .*the service principal lacks SELECT on them$/,
      );
      expect(error.hint).toContain(
        "GRANT SELECT ON SCHEMA workspace.default TO `<service_principal_id>` (missing)",
      );
    } finally {
      ws.grants.grant(PRINCIPALS.connector, "SELECT", "workspace.default");
    }
  });

  it("one table without SELECT is reported and skipped; the others are read", async () => {
    const tables = ws.manifest.tables.filter(
      (t) => t.kind === "ai_gateway_payload" || t.kind === "legacy_payload",
    );
    const denied = tables[0]!;
    ws.grants.revoke(PRINCIPALS.connector, "SELECT", "workspace.default");
    for (const t of tables.slice(1)) ws.grants.grant(PRINCIPALS.connector, "SELECT", t.fullName);
    try {
      const s = source();
      const store = new MemoryCheckpointStore();
      const { meter, totals } = summingMeter();
      const result = await runCycle(s, store, sourceContext(store, meter));
      const byTable = new Set(result.messages.map((m) => m.meta.partition));
      expect(byTable.has(denied.fullName)).toBe(false);
      for (const t of tables.slice(1)) expect(byTable.has(t.fullName)).toBe(true);
      const stats = s.lastCycle!.tables.find((t) => t.table === denied.fullName)!;
      expect(stats.error).toBe(
        `Access denied to catalog/schema: the service principal lacks SELECT on table '${denied.fullName}'`,
      );
      expect(totals.get("databricks_source_table_failures_total")).toBe(1);
      expect(await store.load(denied.fullName)).toBeUndefined();
    } finally {
      for (const t of tables.slice(1)) ws.grants.revoke(PRINCIPALS.connector, "SELECT", t.fullName);
      ws.grants.grant(PRINCIPALS.connector, "SELECT", "workspace.default");
    }
  });

  it("throttled REST calls (429 with Retry-After) are retried and the cycle completes", async () => {
    ws.faults.inject({
      type: "http-error",
      status: 429,
      retryAfterSeconds: 0,
      pathPrefix: "/api/2.1/unity-catalog/tables",
      count: 2,
    });
    const s = source({ restMaxRetries: 3 });
    const store = new MemoryCheckpointStore();
    const { meter, totals } = summingMeter();
    const result = await runCycle(s, store, sourceContext(store, meter));
    expect(result.messages.length).toBeGreaterThan(0);
    expect(totals.get("databricks_source_rest_retries_total")).toBe(2);
  });
});
