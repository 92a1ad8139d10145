import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AI_GATEWAY_PAYLOAD_COLUMNS, startWorkspaceEmulator, type WorkspaceEmulator } from "../src/index.js";

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);

function luhnValid(digits: string): boolean {
  const d = digits.replace(/\D/g, "");
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let n = Number(d[d.length - 1 - i]);
    if (i % 2 === 1) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return sum % 10 === 0;
}

function ibanValid(iban: string): boolean {
  const rearranged = `${iban.slice(4)}${iban.slice(0, 4)}`.replace(/[A-Z]/g, (c) =>
    String(c.charCodeAt(0) - 55),
  );
  let remainder = 0;
  for (const ch of rearranged) remainder = (remainder * 10 + Number(ch)) % 97;
  return remainder === 1;
}

describe("seeded agent traffic", () => {
  let ws: WorkspaceEmulator;
  beforeAll(async () => {
    ws = await startWorkspaceEmulator({
      seed: 11,
      rowsPerTable: 300,
      agents: 2,
      now: NOW,
      windowMinutes: 60,
    });
  });
  afterAll(async () => {
    await ws?.close();
  });

  it("is deterministic for a seed", async () => {
    const again = await startWorkspaceEmulator({ seed: 11, rowsPerTable: 300, agents: 2, now: NOW });
    try {
      expect(again.manifest.tables).toEqual(ws.manifest.tables);
      expect(
        await again.sql(
          "SELECT md5(string_agg(request, '' ORDER BY databricks_request_id)) AS h FROM workspace.default.travel_planner_payload",
        ),
      ).toEqual(
        await ws.sql(
          "SELECT md5(string_agg(request, '' ORDER BY databricks_request_id)) AS h FROM workspace.default.travel_planner_payload",
        ),
      );
    } finally {
      await again.close();
    }
  });

  it("has agents of every task, each with a model and a payload table matching the manifest", async () => {
    const tasks = ws.manifest.agents.map((a) => a.task);
    for (const task of ["agent/v2/chat", "agent/v1/responses", "llm/v1/chat"]) {
      expect(tasks.filter((t) => t === task)).toHaveLength(2);
    }
    for (const table of ws.manifest.tables.filter((t) => t.kind.endsWith("payload"))) {
      const [row] = await ws.sql(
        `SELECT count(*) AS n, min(${table.kind === "legacy_payload" ? "timestamp_ms" : "epoch_ms(request_time)"}) AS lo FROM ${table.fullName}`,
      );
      expect(Number(row?.n)).toBe(table.rowCount);
      expect(table.rows).toHaveLength(300);
      expect(Math.min(...(table.rows ?? []).map((r) => r.requestTime))).toBe(Number(row?.lo));
      expect((table.rows ?? []).every((r) => r.requestTime < NOW && r.requestTime >= NOW - 60 * 60_000)).toBe(
        true,
      );
    }
    const columns = await ws.sql(
      "SELECT column_name FROM information_schema.columns WHERE table_catalog = 'workspace' AND table_name = 'support_agent_payload' ORDER BY ordinal_position",
    );
    expect(columns.map((c) => c.column_name)).toEqual(AI_GATEWAY_PAYLOAD_COLUMNS.map((c) => c.name));
  });

  it("contains tool calls, traces, failures, malformed, oversized and response-less rows", async () => {
    const rows = ws.manifest.tables.flatMap((t) => t.rows ?? []);
    expect(rows.some((r) => r.toolCalls > 0)).toBe(true);
    expect(rows.some((r) => r.trace)).toBe(true);
    expect(new Set(rows.filter((r) => r.statusCode >= 400).map((r) => r.statusCode)).size).toBeGreaterThan(1);
    const table = ws.manifest.tables.find((t) => t.name === "research_assistant_payload");
    const malformed = table?.rows?.find((r) => r.malformed);
    const oversized = table?.rows?.find((r) => r.oversized);
    const missing = table?.rows?.find((r) => r.responseMissing);
    const [m] = await ws.sql(
      `SELECT request FROM ${table?.fullName} WHERE databricks_request_id = '${malformed?.id}'`,
    );
    expect(() => JSON.parse(String(m?.request))).toThrow();
    const [o] = await ws.sql(
      `SELECT length(request) AS n FROM ${table?.fullName} WHERE databricks_request_id = '${oversized?.id}'`,
    );
    expect(Number(o?.n)).toBeGreaterThan(1024 * 1024);
    const [r] = await ws.sql(
      `SELECT response, logging_error_codes FROM ${table?.fullName} WHERE databricks_request_id = '${missing?.id}'`,
    );
    expect(r).toEqual({ response: null, logging_error_codes: ["MAX_RESPONSE_SIZE_EXCEEDED"] });
    const [fc] = await ws.sql(
      `SELECT count(*) AS n FROM ${table?.fullName} WHERE request IS NOT NULL AND response LIKE '%"type":"function_call_output"%'`,
    );
    expect(Number(fc?.n)).toBeGreaterThan(0);
    const [tool] = await ws.sql(
      `SELECT count(*) AS n FROM workspace.default.support_agent_payload WHERE response LIKE '%"role":"tool"%'`,
    );
    expect(Number(tool?.n)).toBeGreaterThan(0);
  });

  it("sprinkles valid sensitive values of every kind into prompts", async () => {
    const kinds = new Set(ws.manifest.sensitiveValues.map((v) => v.kind));
    expect([...kinds].sort()).toEqual([
      "aws_access_key",
      "credit_card",
      "email",
      "iban",
      "openai_key",
      "phone",
      "us_ssn",
    ]);
    for (const v of ws.manifest.sensitiveValues) {
      if (v.kind === "credit_card") expect(luhnValid(v.value)).toBe(true);
      if (v.kind === "iban") expect(ibanValid(v.value)).toBe(true);
      if (v.kind === "us_ssn") expect(v.value).toMatch(/^(?!000|666|9)\d{3}-(?!00)\d{2}-(?!0000)\d{4}$/);
    }
    const card = ws.manifest.sensitiveValues.find((v) => v.kind === "credit_card");
    const hits = await ws.sql(
      `SELECT count(*) AS n FROM (${ws.manifest.tables
        .filter((t) => t.kind === "ai_gateway_payload")
        .map((t) => `SELECT request FROM ${t.fullName}`)
        .join(" UNION ALL ")}) WHERE contains(request, '${card?.value}')`,
    );
    expect(Number(hits[0]?.n)).toBeGreaterThan(0);
  });

  it("inserts late rows with request_time now − 20 min after the fact", async () => {
    const table = ws.manifest.tables.find((t) => t.name === "hr_helpdesk_payload");
    const before = table?.rowCount ?? 0;
    const late = await ws.insertLateRows(3, { table: "hr_helpdesk_payload" });
    expect(late.map((r) => r.requestTime)).toEqual([
      NOW - 20 * 60_000,
      NOW - 20 * 60_000 + 1,
      NOW - 20 * 60_000 + 2,
    ]);
    expect(table?.rowCount).toBe(before + 3);
    expect(table?.rows?.filter((r) => r.late).map((r) => r.id)).toEqual(late.map((r) => r.id));
    const [row] = await ws.sql(
      `SELECT count(*) AS n FROM workspace.default.hr_helpdesk_payload WHERE databricks_request_id IN (${late.map((r) => `'${r.id}'`).join(",")}) AND request_time = epoch_ms(${NOW - 20 * 60_000})`,
    );
    expect(Number(row?.n)).toBe(1);
  });

  it("also seeds tables a connector must not pick up", () => {
    const unrelated = ws.manifest.tables.filter(
      (t) => t.kind === "unrelated" || t.kind === "deprecated_request_logs",
    );
    expect(unrelated.map((t) => t.fullName)).toEqual(
      expect.arrayContaining([
        "workspace.default.orders",
        "finance.default.ledger",
        "workspace.default.support_agent_payload_request_logs",
      ]),
    );
  });
});
