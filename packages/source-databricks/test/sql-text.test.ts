import { describe, expect, it } from "vitest";
import type { AgentTable } from "../src/discovery/inventory.js";
import { parseMissingPrivilege } from "../src/errors/permission-message.js";
import { quoteIdentifier, quoteTableName } from "../src/index.js";
import { buildTableQuery } from "../src/read/table-query.js";

const table = (fullName: string, kind: AgentTable["kind"], columns: string[]): AgentTable => ({
  fullName,
  kind,
  columns,
  agent: { endpoint: "e" },
  servedEntities: new Map(),
});

describe("identifiers", () => {
  it("quotes valid parts and refuses anything that could change the statement", () => {
    expect(quoteTableName("workspace.default.agent-1_payload")).toBe(
      "`workspace`.`default`.`agent-1_payload`",
    );
    expect(() => quoteIdentifier("x`; DROP TABLE y; --")).toThrow(/Invalid identifier/);
    expect(() => quoteTableName("a.b")).toThrow(/expected catalog.schema.table/);
    expect(() => quoteTableName("a.b.c d")).toThrow(/Invalid table/);
  });
});

describe("buildTableQuery", () => {
  it("binds the window as parameters and reads only columns the table has", () => {
    const q = buildTableQuery(
      table("workspace.default.bot_payload", "ai-gateway", [
        "databricks_request_id",
        "request_time",
        "status_code",
        "request",
        "response",
        "requester",
      ]),
      1_000,
      2_000,
    );
    expect(q.sql).toBe(
      "SELECT `databricks_request_id`, `request_time`, `status_code`, `request`, `response`, `requester` " +
        "FROM `workspace`.`default`.`bot_payload` WHERE `request_time` >= :window_start AND `request_time` <= :window_end " +
        "ORDER BY `request_time`, `databricks_request_id`",
    );
    expect(q.params).toEqual({ window_start: new Date(1_000), window_end: new Date(2_000) });
  });

  it("uses epoch milliseconds for legacy tables and nanoseconds for trace tables", () => {
    const legacy = buildTableQuery(
      table("c.s.old_payload", "legacy", [
        "databricks_request_id",
        "timestamp_ms",
        "status_code",
        "request",
        "response",
      ]),
      5,
      6,
    );
    expect(legacy.params).toEqual({ window_start: 5, window_end: 6 });
    expect(legacy.sql).toContain("ORDER BY `timestamp_ms`, `databricks_request_id`");
    const trace = buildTableQuery(
      table("c.s.mlflow_traces_otel_spans", "trace", [
        "trace_id",
        "span_id",
        "parent_span_id",
        "name",
        "start_time_unix_nano",
        "end_time_unix_nano",
        "attributes",
      ]),
      5,
      6,
    );
    expect(trace.params).toEqual({ window_start: 5_000_000n, window_end: 6_000_000n });
    expect(trace.sql).toContain("ORDER BY r.`start_time_unix_nano`, s.`trace_id`");
  });
});

describe("parseMissingPrivilege", () => {
  it("finds the privilege and securable in Databricks' wording", () => {
    expect(
      parseMissingPrivilege(
        "[INSUFFICIENT_PERMISSIONS] Insufficient privileges: User does not have USE CATALOG on Catalog 'main'.",
      ),
    ).toEqual({ privilege: "USE CATALOG", securable: "catalog", name: "main" });
    expect(parseMissingPrivilege("User does not have SELECT on Table 'w.d.t'.")).toEqual({
      privilege: "SELECT",
      securable: "table",
      name: "w.d.t",
    });
    expect(parseMissingPrivilege("something else")).toBeUndefined();
  });
});
