import { MemoryCheckpointStore } from "@pipekit/core/builtins";
import { startWorkspaceEmulator, type WorkspaceEmulator } from "@pipekit/testkit-databricks";
import { lastValueFrom, mergeMap, take, tap, timer, toArray } from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import { databricksDeliveries$, databricksExecutions$ } from "../src/databricks/index.js";

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

let ws: WorkspaceEmulator | undefined;
afterEach(async () => {
  await ws?.close();
  ws = undefined;
});

async function workspace() {
  ws = await startWorkspaceEmulator({ seed: 5, rowsPerTable: 30, agents: 1, now: NOW });
  const config = {
    host: ws.url,
    clientId: ws.credentials.clientId,
    clientSecret: ws.credentials.clientSecret,
    caCert: ws.caPem,
    lookBackMinutes: 60,
    safetyLagSeconds: 0,
    chunkRows: 4,
    tableConcurrency: 2,
  };
  const expected = ws.manifest.tables
    .flatMap((t) => t.rows ?? [])
    .filter((r) => !r.malformed)
    .map((r) => r.id)
    .sort();
  return { ws, config, expected };
}

describe("databricksExecutions$ against the workspace emulator (real driver, HTTPS, OAuth)", () => {
  it("emits every well-formed execution of the window once, then completes", async () => {
    const { config, expected } = await workspace();
    const executions = await lastValueFrom(
      databricksExecutions$(config, { source: { now: () => NOW } }).pipe(toArray()),
    );
    expect(executions.length).toBeGreaterThan(0);
    expect(executions.map((e) => e.requestId).sort()).toEqual(expected);
    expect(executions.every((e) => e.platform === "databricks")).toBe(true);
  });

  it("deliveries: a slow subscriber bounds what is read, and a second pass with the same store reads nothing again", async () => {
    const { config, expected } = await workspace();
    const store = new MemoryCheckpointStore();
    let inFlight = 0;
    let maxInFlight = 0;
    const ids = await lastValueFrom(
      databricksDeliveries$(config, {
        source: { now: () => NOW },
        checkpointStore: store,
        budget: { maxMessages: 8 },
      }).pipe(
        tap(() => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
        }),
        mergeMap(
          (delivery) =>
            timer(1).pipe(
              tap(() => {
                inFlight--;
                delivery.ack();
              }),
              mergeMap(async () => delivery.message.id),
            ),
          1,
        ),
        toArray(),
      ),
    );
    expect(ids.sort()).toEqual(expected);
    // Budget 8 plus one result chunk (chunkRows 4): never more emitted and unacknowledged.
    expect(maxInFlight).toBeLessThanOrEqual(8 + 4);
    const again = await lastValueFrom(
      databricksExecutions$(config, { source: { now: () => NOW }, checkpointStore: store }).pipe(toArray()),
    );
    expect(again).toEqual([]);
  });

  it("unsubscribing stops the reads: a pass cut short fetches fewer result chunks than a whole one", async () => {
    const { ws, config } = await workspace();
    await lastValueFrom(databricksExecutions$(config, { source: { now: () => NOW } }).pipe(toArray()));
    const wholePass = ws.stats.fetchResultsCalls;
    const firstThree = await lastValueFrom(
      databricksExecutions$(config, { source: { now: () => NOW } }).pipe(take(3), toArray()),
    );
    expect(firstThree).toHaveLength(3);
    const cutShort = ws.stats.fetchResultsCalls - wholePass;
    expect(cutShort).toBeLessThan(wholePass / 2);
  });
});
