import { MemoryCheckpointStore } from "@pipekit/core/builtins";
import { startWorkspaceEmulator, type WorkspaceEmulator } from "@pipekit/testkit-databricks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabricksSource, type DatabricksSource } from "../src/index.js";
import { runCycle } from "./harness.js";

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const MIN = 60_000;
const ROWS = 300_000;

/**
 * The promise at volume: one table whose window holds 300,000 delivered ids (the earlier state
 * capped at 200,000 and then silently stopped catching late rows). Late rows that land inside the
 * window must be caught, and none of the 300,000 sent again.
 */
describe("late rows while 300,000 ids of one table are tracked (real driver, emulator)", () => {
  let ws: WorkspaceEmulator;
  let source: DatabricksSource;
  let clock = NOW;
  let table: string;
  const config = () => ({
    host: ws.url,
    clientId: ws.credentials.clientId,
    clientSecret: ws.credentials.clientSecret,
    caCert: ws.caPem,
    lookBackMinutes: 60,
    safetyLagSeconds: 0,
    chunkRows: 10_000,
  });

  beforeAll(async () => {
    ws = await startWorkspaceEmulator({
      seed: 5,
      rowsPerTable: ROWS,
      agents: 1,
      now: NOW,
      windowMinutes: 50,
    });
    table = ws.manifest.tables.find((t) => t.kind === "ai_gateway_payload")!.fullName;
    source = createDatabricksSource(config(), { now: () => clock, tableFilter: (name) => name === table });
  }, 120_000);

  afterAll(async () => {
    await source?.close();
    await ws?.close();
  });

  it("catches every late row and sends none of the tracked ones twice", { timeout: 240_000 }, async () => {
    const store = new MemoryCheckpointStore();
    const seeded = ws.manifest.tables.find((t) => t.fullName === table)!;
    expect(seeded.rowCount).toBe(ROWS);
    const first = await runCycle(source, store);
    expect(first.messages.length + first.rejected.length).toBe(ROWS);
    expect(new Set(first.messages.map((m) => m.id)).size).toBe(first.messages.length);

    // The second cycle runs in a new instance (a restart): what it knows comes from the store alone.
    const late = await ws.insertLateRows(7, { table, minutesAgo: 30 });
    clock = NOW + 2 * MIN;
    const restarted = createDatabricksSource(config(), {
      now: () => clock,
      tableFilter: (name) => name === table,
    });
    try {
      const second = await runCycle(restarted, store);
      expect(second.messages.map((m) => m.id).sort()).toEqual(late.map((r) => r.id).sort());
      const stats = restarted.lastCycle!.tables.find((t) => t.table === table)!;
      expect(stats.late).toBe(7);
      // Every row of the first cycle was read again and recognised as delivered.
      expect(stats.duplicates).toBe(ROWS);
    } finally {
      await restarted.close();
    }
  });
});
