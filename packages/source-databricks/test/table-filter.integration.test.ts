import { checkpointKeyOwner } from "@pipekit/core/advanced";
import { MemoryCheckpointStore } from "@pipekit/core/builtins";
import { startWorkspaceEmulator, type WorkspaceEmulator } from "@pipekit/testkit-databricks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabricksSource, type DatabricksSource, databricksSourceComponent } from "../src/index.js";
import { runCycle, sourceContext } from "./harness.js";
import { recordingLogger } from "./helpers.js";

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

/** Table of each message (its checkpoint partition). */
const tablesOf = (messages: readonly { meta: { partition?: string } }[]): Set<string> =>
  new Set(messages.map((m) => m.meta.partition!));

describe("tableFilter: a source restricted to the tables it owns", () => {
  let ws: WorkspaceEmulator;
  let payloadTables: string[];

  beforeAll(async () => {
    ws = await startWorkspaceEmulator({ seed: 11, rowsPerTable: 12, agents: 2, now: NOW });
    payloadTables = ws.manifest.tables
      .filter((t) => t.kind === "ai_gateway_payload" || t.kind === "legacy_payload")
      .map((t) => t.fullName);
  });
  afterAll(async () => {
    await ws?.close();
  });

  const config = () => ({
    host: ws.url,
    clientId: ws.credentials.clientId,
    clientSecret: ws.credentials.clientSecret,
    caCert: ws.caPem,
    safetyLagSeconds: 0,
  });

  it("reads only accepted tables, and follows ownership changes between cycles", async () => {
    expect(payloadTables.length).toBeGreaterThanOrEqual(6);
    let owned = new Set(payloadTables.slice(0, 3));
    const asked: string[] = [];
    const source = createDatabricksSource(config(), {
      now: () => NOW,
      tableFilter: (name) => {
        asked.push(name);
        return owned.has(name);
      },
    });
    const store = new MemoryCheckpointStore();
    try {
      const first = await runCycle(source, store);
      expect(tablesOf(first.messages)).toEqual(owned);
      // Each owned table has its manifest, plus the auxiliary keys (`<table>#…`) of its ids.
      const stored = [...(await store.loadAll()).keys()];
      expect(new Set(stored.map(checkpointKeyOwner))).toEqual(owned);
      expect(stored.filter((k) => !k.includes("#")).sort()).toEqual([...owned].sort());
      expect(source.lastCycle?.tables.map((t) => t.table).sort()).toEqual([...owned].sort());
      // Every discovered table was asked about: the filter decides, not a cached list.
      expect(new Set(asked)).toEqual(new Set(payloadTables));

      // Ownership moves: the next cycle reads the newly owned tables and leaves the others alone.
      owned = new Set(payloadTables.slice(3));
      const second = await runCycle(source, store);
      expect(tablesOf(second.messages)).toEqual(owned);
      const expectedIds = ws.manifest.tables
        .filter((t) => owned.has(t.fullName))
        .flatMap((t) => t.rows ?? [])
        .filter((r) => !r.malformed)
        .map((r) => r.id);
      expect(second.messages.map((m) => m.id).sort()).toEqual(expectedIds.sort());
    } finally {
      await source.close();
    }
  });

  it("skips a table whose ownership is lost after the cycle began", async () => {
    const owned = new Set(payloadTables);
    const source = createDatabricksSource(
      { ...config(), tableConcurrency: 1 },
      { now: () => NOW, tableFilter: (name) => owned.has(name) },
    );
    const store = new MemoryCheckpointStore();
    try {
      const seen = new Set<string>();
      const ctx = sourceContext(store);
      for await (const chunk of source.read(ctx)) {
        for (const m of chunk.messages) seen.add(m.meta.partition!);
        // After the first table's first chunk, every table not yet seen is given away.
        for (const name of payloadTables) if (!seen.has(name)) owned.delete(name);
      }
      expect(seen.size).toBeLessThanOrEqual(2);
      expect([...seen].every((t) => payloadTables.includes(t))).toBe(true);
    } finally {
      await source.close();
    }
  });

  it("the registered component takes the runner's partition filter", async () => {
    const only = payloadTables[0]!;
    const source = await databricksSourceComponent.create(
      databricksSourceComponent.configSchema.parse(config()),
      { logger: recordingLogger(), baseDir: ".", partitionFilter: (name) => name === only },
    );
    const store = new MemoryCheckpointStore();
    try {
      // The component reads with the real clock (the seeded rows are older): which tables it opened
      // is what counts here.
      await runCycle(source as DatabricksSource, store);
      expect((source as DatabricksSource).lastCycle?.tables.map((t) => t.table)).toEqual([only]);
    } finally {
      await source.close?.();
    }
  });
});
