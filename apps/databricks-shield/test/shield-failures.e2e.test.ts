import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PRINCIPALS, startWorkspaceEmulator, type WorkspaceEmulator } from "@pipekit/testkit-databricks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, SHIELD_CLI } from "./helpers.js";

// The real databricks-shield process against the workspace emulator with grants taken away or
// credentials wrong: a run that delivered nothing because nothing was readable must not exit 0, and
// the last lines of stdout (what Akto keeps as the job's error) must say what failed and what to do.
describe("databricks-shield -once when it cannot read", () => {
  let ws: WorkspaceEmulator;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    ws = await startWorkspaceEmulator({ seed: 9, rowsPerTable: 5 });
    dir = mkdtempSync(join(tmpdir(), "shield-failures-"));
    env = {
      DATABRICKS_HOST: ws.url,
      DATABRICKS_CLIENT_ID: ws.credentials.clientId,
      DATABRICKS_CLIENT_SECRET: ws.credentials.clientSecret,
      DATABRICKS_CA_CERT_FILE: ws.caFile,
      SHIELD_OUTPUT_FILE: join(dir, "records.jsonl"),
    };
  }, 120_000);

  afterAll(async () => {
    await ws?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function once(name: string, extra: Record<string, string> = {}) {
    const run = await runCli(["-once"], { ...env, SHIELD_STATE_DIR: join(dir, name), ...extra }, SHIELD_CLI);
    const lines = run.stdout.trimEnd().split("\n");
    const plain = lines.filter((l) => !l.startsWith("{"));
    // Each JSON log line carries every key once.
    for (const l of lines.filter((x) => x.startsWith("{"))) {
      expect(l.match(/"pipeline":/g)?.length ?? 0, l.slice(0, 200)).toBeLessThanOrEqual(1);
    }
    return { ...run, lines, plain, tail: lines.slice(-4).join("\n") };
  }

  it("SELECT revoked on every table: exit 1, the grant named in the last lines", async () => {
    ws.grants.revoke(PRINCIPALS.connector, "SELECT", "workspace.default");
    try {
      const run = await once("no-select");
      expect(run.code, run.tail).toBe(1);
      expect(run.tail).toMatch(
        /^failed: No agent table could be read in workspace\.default: all \d+ matching/m,
      );
      expect(run.tail).toContain("lacks SELECT");
      expect(run.tail).toContain(
        "what to do: Grant the service principal read access, as in the connector's setup: GRANT SELECT ON SCHEMA workspace.default TO `<service_principal_id>` (missing)",
      );
      expect(run.lines.at(-1)).toBe("exit code 1: the run failed; see above");
      expect(run.plain.filter((l) => l.startsWith("what to do:"))).toHaveLength(1);
    } finally {
      ws.grants.grant(PRINCIPALS.connector, "SELECT", "workspace.default");
    }
  }, 120_000);

  it("wrong client secret: exit 1 with the credentials hint, the secret nowhere", async () => {
    const run = await once("bad-secret", { DATABRICKS_CLIENT_SECRET: "not-the-secret-0123456789" });
    expect(run.code, run.tail).toBe(1);
    expect(run.tail).toContain("failed: Authentication failed");
    expect(run.tail).toContain("why: fatal error (DatabricksAuthError)");
    expect(run.tail).toMatch(/what to do: Double-check DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET/);
    expect(run.plain.filter((l) => l.startsWith("what to do:"))).toHaveLength(1);
    // The error log line carries the hint and the declared class too, for log search.
    const logged = run.lines.find((l) => l.includes('"type":"DatabricksAuthError"'));
    expect(logged).toContain('"class":"fatal"');
    expect(logged).toContain('"hint":"Double-check DATABRICKS_CLIENT_ID');
    expect(run.stdout + run.stderr).not.toContain("not-the-secret-0123456789");
  }, 120_000);

  it("USE CATALOG revoked: exit 1 naming GRANT USE CATALOG", async () => {
    ws.grants.revoke(PRINCIPALS.connector, "USE CATALOG", "workspace");
    try {
      const run = await once("no-catalog");
      expect(run.code, run.tail).toBe(1);
      expect(run.tail).toContain("lacks USE CATALOG on catalog 'workspace'");
      expect(run.tail).toContain(
        "what to do: Grant the missing permission, e.g. GRANT USE CATALOG ON CATALOG workspace",
      );
    } finally {
      ws.grants.grant(PRINCIPALS.connector, "USE CATALOG", "workspace");
    }
  }, 120_000);

  it("no table matches the prefix: exit 1 with the prefix hint", async () => {
    const run = await once("no-match", { DATABRICKS_PREFIX: "nothing_matches_" });
    expect(run.code, run.tail).toBe(1);
    expect(run.tail).toContain(
      "failed: No agent tables matched prefix 'nothing_matches_' in workspace.default",
    );
    expect(run.tail).toMatch(/what to do: .*DATABRICKS_PREFIX is not filtering out every table/);
  }, 120_000);

  it("no running SQL warehouse: exit 1 naming the warehouse and its state, with the hint", async () => {
    ws.faults.stopWarehouse();
    try {
      const run = await once("no-warehouse");
      expect(run.code, run.tail).toBe(1);
      expect(run.tail).toMatch(/^failed: No running SQL warehouse found in .*\(STOPPED\)/m);
      expect(run.tail).toContain("what to do: Start a SQL warehouse in the workspace (or enable auto-start)");
      expect(run.plain.filter((l) => l.startsWith("what to do:"))).toHaveLength(1);
    } finally {
      ws.faults.startWarehouse();
    }
  }, 120_000);

  it("readable again: exit 0 and the summary says so", async () => {
    const run = await once("ok");
    expect(run.code, run.tail).toBe(0);
    expect(run.lines.at(-1)).toBe(
      "exit code 0: everything read was delivered (bad input dead-lettered with its reason)",
    );
  }, 120_000);
});
