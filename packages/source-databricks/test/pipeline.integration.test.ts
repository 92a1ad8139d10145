import type { AgentExecution } from "@pipekit/agent-execution";
import { ComponentRegistry, Pipeline, silentLogger } from "@pipekit/core";
import { MemoryCheckpointStore, MemorySink } from "@pipekit/core/builtins";
import { startWorkspaceEmulator, type WorkspaceEmulator } from "@pipekit/testkit-databricks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabricksSource, databricksSourceComponent } from "../src/index.js";

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

describe("the source in a real core Pipeline", () => {
  let ws: WorkspaceEmulator;
  beforeAll(async () => {
    ws = await startWorkspaceEmulator({ seed: 9, rowsPerTable: 20, agents: 1, now: NOW });
  });
  afterAll(async () => {
    await ws?.close();
  });

  it("delivers each execution once across cycles, dead-letters unparseable rows, commits positions", async () => {
    const sink = new MemorySink<AgentExecution>();
    const deadLetter = new MemorySink();
    const store = new MemoryCheckpointStore();
    const source = createDatabricksSource(
      {
        host: ws.url,
        clientId: ws.credentials.clientId,
        clientSecret: ws.credentials.clientSecret,
        caCert: ws.caPem,
        safetyLagSeconds: 0,
        chunkRows: 6,
      },
      { now: () => NOW },
    );
    const pipeline = new Pipeline({
      source,
      sinks: [{ id: "memory", sink }],
      deadLetter,
      checkpointStore: store,
      logger: silentLogger,
    });
    try {
      await pipeline.open();
      const first = await pipeline.runCycle();
      const second = await pipeline.runCycle();
      const rows = ws.manifest.tables.flatMap((t) => t.rows ?? []);
      const valid = rows.filter((r) => !r.malformed).map((r) => r.id);
      expect(sink.messages.map((m) => m.id).sort()).toEqual(valid.sort());
      expect(deadLetter.messages).toHaveLength(rows.length - valid.length);
      expect(first.deadLettered).toBe(rows.length - valid.length);
      expect(second.received).toBe(0);
      const tables = ws.manifest.tables.filter((t) => (t.rows ?? []).length > 0);
      for (const t of tables) expect(await store.load(t.fullName)).toMatchObject({ v: 2 });
    } finally {
      await pipeline.close();
    }
  });
});

describe("databricksSourceComponent", () => {
  it("validates config with the connector's names and defaults, and knows its secret fields", () => {
    const registry = new ComponentRegistry().register(databricksSourceComponent);
    expect(
      registry.parse("source", "databricks", { host: "h", clientId: "id", clientSecret: "s" }),
    ).toMatchObject({
      catalog: "workspace",
      schema: "default",
      prefix: "",
      lookBackMinutes: 60,
      tableConcurrency: 2,
    });
    expect(() => registry.parse("source", "databricks", { host: "h" }, ["source"])).toThrow(
      /source\.clientId: set clientId and clientSecret/,
    );
    expect(databricksSourceComponent.secretFields).toEqual(["clientSecret", "token"]);
  });
});
