import { startWorkspaceEmulator } from "@pipekit/testkit-databricks";
import { describe, expect, it } from "vitest";
import { agentsByCallCount, rxExample, type Ticket } from "../src/rx-pipeline.js";

const tickets: Ticket[] = Array.from({ length: 230 }, (_, i) => ({
  id: i,
  title: i === 17 ? " " : `ticket ${i}`,
  priority: i % 5,
}));

describe("rx example", () => {
  it("pages the API on demand, routes urgent tickets twice, dead-letters the untitled one, as streams", async () => {
    const asked: number[] = [];
    const result = await rxExample(
      async (offset, limit) => {
        asked.push(offset);
        return tickets.slice(offset, offset + limit);
      },
      { pageSize: 50 },
    );
    // 230 tickets in pages of 50, then the empty page that ends the pass.
    expect(asked).toEqual([0, 50, 100, 150, 200, 230]);
    expect(result.pages).toBe(6);
    const urgent = tickets.filter((t) => t.priority >= 4 && t.id !== 17).length;
    expect(result.report).toMatchObject({ received: 230, deadLettered: 1 });
    expect(result.delivered).toHaveLength(229 + urgent);
    expect(result.deadLetters).toEqual([{ id: "ticket-17", reason: "a ticket needs a title" }]);
  });

  it("counts tool calls per agent from the Databricks source as an Observable (workspace emulator)", async () => {
    const now = Date.now();
    const ws = await startWorkspaceEmulator({ seed: 9, rowsPerTable: 20, agents: 1, now });
    try {
      const counts = await agentsByCallCount({
        host: ws.url,
        clientId: ws.credentials.clientId,
        clientSecret: ws.credentials.clientSecret,
        caCert: ws.caPem,
        safetyLagSeconds: 0,
      });
      expect(Object.keys(counts).sort()).toEqual(ws.manifest.agents.map((a) => a.endpoint).sort());
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    } finally {
      await ws.close();
    }
  });
});
