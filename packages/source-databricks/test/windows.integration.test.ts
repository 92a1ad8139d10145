import { silentLogger } from "@pipekit/core";
import { MemoryCheckpointStore } from "@pipekit/core/builtins";
import { type SeededRow, startWorkspaceEmulator, type WorkspaceEmulator } from "@pipekit/testkit-databricks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabricksSource, type DatabricksSource, DeliveredIds } from "../src/index.js";
import { runCycle, sourceContext, summingMeter } from "./harness.js";

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const MIN = 60_000;

describe("reading executions over consecutive cycles (real driver, emulator)", () => {
  let ws: WorkspaceEmulator;
  let source: DatabricksSource;
  let clock = NOW;
  const store = new MemoryCheckpointStore();

  beforeAll(async () => {
    ws = await startWorkspaceEmulator({
      seed: 11,
      rowsPerTable: 40,
      agents: 1,
      now: NOW,
      windowMinutes: 60,
      pageSize: 3,
    });
    source = createDatabricksSource(
      {
        host: ws.url,
        clientId: ws.credentials.clientId,
        clientSecret: ws.credentials.clientSecret,
        caCert: ws.caPem,
        lookBackMinutes: 30,
        safetyLagSeconds: 60,
        chunkRows: 7,
        tableConcurrency: 2,
      },
      { now: () => clock },
    );
  });

  afterAll(async () => {
    await source?.close();
    await ws?.close();
  });

  it("emits every execution of each window exactly once, catches late rows, skips rows outside", async () => {
    const payloadTables = ws.manifest.tables.filter(
      (t) => t.kind === "ai_gateway_payload" || t.kind === "legacy_payload",
    );
    expect(payloadTables.length).toBeGreaterThanOrEqual(4);
    const rowsById = new Map<
      string,
      { row: SeededRow; table: string; kind: string; endpoint: string | undefined }
    >();
    for (const t of payloadTables) {
      for (const row of t.rows ?? [])
        rowsById.set(row.id, { row, table: t.fullName, kind: t.kind, endpoint: t.endpoint });
    }
    const inWindow = (from: number, to: number) =>
      [...rowsById.values()]
        .filter(({ row }) => row.requestTime >= from && row.requestTime <= to)
        .map(({ row }) => row.id);

    // Cycle 1: window [NOW − 30 min, NOW − 1 min].
    const meter = summingMeter();
    const c1 = await runCycle(source, store, sourceContext(store, meter.meter));
    const expected1 = inWindow(NOW - 30 * MIN, NOW - MIN);
    const malformed1 = expected1.filter((id) => rowsById.get(id)!.row.malformed);
    expect(malformed1.length).toBeGreaterThan(0);
    expect(c1.messages.map((m) => m.id).sort()).toEqual(
      expected1.filter((id) => !malformed1.includes(id)).sort(),
    );
    expect(c1.rejected.map((r) => r.message.id).sort()).toEqual(malformed1.sort());
    for (const r of c1.rejected) expect(r.error.message).toMatch(/request is not valid JSON/);

    // Contents follow the seeded rows: status, errors, tool calls, agent, table.
    for (const m of c1.messages) {
      const seeded = rowsById.get(m.id)!;
      const e = m.value;
      expect(m.meta).toMatchObject({
        partition: seeded.table,
        eventTime: seeded.row.requestTime,
        source: "databricks",
      });
      expect(e.table).toBe(seeded.table);
      expect(e.startTime).toBe(seeded.row.requestTime);
      expect(e.statusCode).toBe(seeded.row.statusCode);
      expect(e.status).toBe(seeded.row.statusCode >= 400 ? "error" : "ok");
      if (seeded.row.statusCode >= 400) expect(e.error).toBeTruthy();
      if (seeded.row.responseMissing) {
        expect(e.output).toEqual([]);
        // Legacy tables have no logging_error_codes column: only AI Gateway rows say why.
        if (seeded.kind === "ai_gateway_payload") expect(e.error).toMatch(/MAX_RESPONSE_SIZE_EXCEEDED/);
      }
      // The emulator's oversized row keeps its template's response (with its tool calls) while the
      // manifest records 0 for it: compare counts on every other row.
      if (!seeded.row.oversized) expect(e.toolCalls).toHaveLength(seeded.row.toolCalls);
      for (const call of e.toolCalls) {
        expect(call.name).toBeTruthy();
        expect(() => JSON.parse(call.arguments)).not.toThrow();
        // Agents run their tools server-side and log the results; a chat-completions answer only asks for them.
        if (e.payloadFormat !== "chat-completions") expect(call.result).toBeDefined();
      }
      if (seeded.row.trace && seeded.row.toolCalls > 0) {
        expect(e.toolCalls.every((c) => c.durationMs !== undefined)).toBe(true);
      }
      if (seeded.endpoint) expect(e.agent.endpoint).toBe(seeded.endpoint);
    }
    expect(c1.messages.some((m) => m.value.toolCalls.length > 0)).toBe(true);
    expect(c1.messages.some((m) => m.value.status === "error")).toBe(true);
    expect(meter.totals.get("databricks_source_executions_emitted_total")).toBe(c1.messages.length);
    expect(meter.totals.get("databricks_source_parse_failures_total")).toBe(malformed1.length);
    expect(meter.totals.get("databricks_source_tables_scanned_total")).toBe(payloadTables.length);

    // Late rows land between cycles: two inside the next window, one older than any window.
    const gateway = payloadTables.find((t) => t.kind === "ai_gateway_payload")!;
    const late = await ws.insertLateRows(2, { table: gateway.fullName, minutesAgo: 10 });
    const tooOld = await ws.insertLateRows(1, { table: gateway.fullName, minutesAgo: 45 });

    // Cycle 2: window [NOW − 28 min, NOW + 1 min].
    clock = NOW + 2 * MIN;
    const c2 = await runCycle(source, store);
    const expected2 = [
      ...late.map((r) => r.id),
      ...inWindow(NOW - MIN, NOW + MIN).filter(
        (id) => !expected1.includes(id) && !rowsById.get(id)!.row.malformed,
      ),
    ];
    expect(c2.messages.map((m) => m.id).sort()).toEqual(expected2.sort());
    const stats2 = source.lastCycle!.tables.find((t) => t.table === gateway.fullName)!;
    expect(stats2.late).toBe(2);
    expect(stats2.duplicates).toBeGreaterThan(0);

    // Cycle 3: only what landed since.
    const late3 = await ws.insertLateRows(1, { table: gateway.fullName, minutesAgo: 3 });
    clock = NOW + 4 * MIN;
    const c3 = await runCycle(source, store);
    expect(c3.messages.map((m) => m.id)).toEqual(late3.map((r) => r.id));

    const all = [...c1.messages, ...c2.messages, ...c3.messages].map((m) => m.id);
    expect(new Set(all).size).toBe(all.length);
    expect(all).not.toContain(tooOld[0]!.id);
    // Nothing outside the windows: rows older than the first window's start never came.
    expect(all.filter((id) => (rowsById.get(id)?.row.requestTime ?? NOW) < NOW - 30 * MIN)).toEqual([]);
    // Checkpoints hold the delivered ids per table (as hashes, by time bucket).
    const stored = await DeliveredIds.load(sourceContext(store).checkpoints, {
      table: gateway.fullName,
      maxBytes: 2 ** 20,
      writer: "test",
      logger: silentLogger,
    });
    for (const r of [...late, ...late3]) expect(stored.containsAnywhere(r.id)).toBe(true);
    expect(stored.containsAnywhere(tooOld[0]!.id)).toBe(false);
  });

  it("reports the agent inventory: endpoints, their UC models with versions and aliases, tables", () => {
    const inventory = source.inventory()!;
    const agents = ws.manifest.agents.filter((a) => a.task.startsWith("agent/"));
    expect(inventory.agents.map((a) => a.endpoint).sort()).toEqual(agents.map((a) => a.endpoint).sort());
    for (const spec of agents) {
      const found = inventory.agents.find((a) => a.endpoint === spec.endpoint)!;
      expect(found.task).toBe(spec.task);
      expect(found.models).toEqual([
        expect.objectContaining({
          fullName: spec.model,
          servedVersions: [String(spec.servedVersion)],
          aliases: Object.fromEntries(Object.entries(spec.aliases).map(([k, v]) => [k, String(v)])),
        }),
      ]);
      expect(found.models[0]!.versions).toHaveLength(spec.modelVersions);
    }
    const payloads = ws.manifest.tables.filter(
      (t) => t.kind === "ai_gateway_payload" || t.kind === "legacy_payload",
    );
    expect(inventory.tables.map((t) => t.fullName).sort()).toEqual(payloads.map((t) => t.fullName).sort());
  });
});
