import type { SourceChunk } from "@pipekit/core";
import { MemoryCheckpointStore } from "@pipekit/core/builtins";
import { startWorkspaceEmulator, type WorkspaceEmulator } from "@pipekit/testkit-databricks";
import { afterEach, describe, expect, it } from "vitest";
import { createDatabricksSource, type DatabricksSource } from "../src/index.js";
import { sourceContext, waitFor } from "./harness.js";

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

let ws: WorkspaceEmulator | undefined;
let source: DatabricksSource | undefined;

afterEach(async () => {
  await source?.close();
  await ws?.close();
  source = undefined;
  ws = undefined;
});

async function setup(options: { tokenTtlSeconds?: number; tableConcurrency: number; chunkRows: number }) {
  ws = await startWorkspaceEmulator({
    seed: 3,
    rowsPerTable: 30,
    agents: 1,
    now: NOW,
    tokenTtlSeconds: options.tokenTtlSeconds,
  });
  source = createDatabricksSource(
    {
      host: ws.url,
      clientId: ws.credentials.clientId,
      clientSecret: ws.credentials.clientSecret,
      caCert: ws.caPem,
      lookBackMinutes: 60,
      safetyLagSeconds: 0,
      chunkRows: options.chunkRows,
      tableConcurrency: options.tableConcurrency,
    },
    { now: () => NOW },
  );
  const expected = ws.manifest.tables
    .flatMap((t) => t.rows ?? [])
    .filter((r) => !r.malformed)
    .map((r) => r.id)
    .sort();
  const store = new MemoryCheckpointStore();
  const iterator = source.read(sourceContext(store))[Symbol.asyncIterator]();
  return { ws, source, expected, iterator, store };
}

/**
 * The next chunk that carries rows: a table read for the first time starts with an empty chunk
 * whose position records the window start (see docs/checkpoints.md).
 */
async function nextWithRows(iterator: AsyncIterator<SourceChunk>): Promise<IteratorResult<SourceChunk>> {
  for (;;) {
    const next = await iterator.next();
    if (next.done || next.value.messages.length > 0 || next.value.rejected?.length) return next;
  }
}

async function drain(iterator: AsyncIterator<SourceChunk>, into: string[]): Promise<void> {
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    into.push(...next.value.messages.map((m) => m.id));
  }
}

describe("tokens during a cycle", () => {
  it("refreshes a token that expires mid-cycle without losing or repeating rows", async () => {
    const { ws, expected, iterator } = await setup({ tokenTtlSeconds: 2, tableConcurrency: 1, chunkRows: 4 });
    const ids: string[] = [];
    const first = await nextWithRows(iterator);
    ids.push(...(first.value as SourceChunk).messages.map((m) => m.id));
    const issuedBefore = ws.tokens.issued.length;
    const firstExpiry = ws.tokens.issued[0]!.exp * 1000;
    await waitFor(() => Date.now() > firstExpiry, 5_000, "the first token to expire");
    await drain(iterator, ids);
    expect(ws.tokens.issued.length).toBeGreaterThan(issuedBefore);
    expect([...ids].sort()).toEqual(expected);
  });

  it("replaces a token the warehouse rejects mid-result-set and carries on from the same row", async () => {
    const { ws, expected, iterator } = await setup({ tableConcurrency: 1, chunkRows: 4 });
    const ids: string[] = [];
    const first = await nextWithRows(iterator);
    ids.push(...(first.value as SourceChunk).messages.map((m) => m.id));
    const issuedBefore = ws.tokens.issued.length;
    ws.faults.inject({ type: "invalid-token", pathPrefix: ws.httpPath, count: 1 });
    await drain(iterator, ids);
    expect(ws.faults.list()).toEqual([]); // the fault was hit
    expect(ws.tokens.issued.length).toBe(issuedBefore + 1);
    expect([...ids].sort()).toEqual(expected);
  });
});

describe("warehouse failures mid-table", () => {
  it("reads the window again after a fetch fails, emitting every row exactly once", async () => {
    const { ws, source, expected, iterator } = await setup({ tableConcurrency: 1, chunkRows: 4 });
    const ids: string[] = [];
    const first = await nextWithRows(iterator);
    ids.push(...(first.value as SourceChunk).messages.map((m) => m.id));
    // The next Thrift call of this result set dies with the connection (a fetch: it is not repeated).
    ws.faults.inject({ type: "connection-reset", pathPrefix: ws.httpPath, count: 1 });
    await drain(iterator, ids);
    expect(ws.faults.list()).toEqual([]); // the fault was hit
    expect(ids.length).toBe(new Set(ids).size);
    expect([...ids].sort()).toEqual(expected);
    const tables = source.lastCycle!.tables;
    expect(tables.every((t) => t.error === undefined)).toBe(true);
    expect(tables.reduce((n, t) => n + t.duplicates, 0)).toBeGreaterThan(0); // the re-read was suppressed
  });
});

describe("backpressure", () => {
  it("holds at most one fetched chunk beyond what was pulled when downstream stalls", async () => {
    const { ws, source, expected, iterator } = await setup({ tableConcurrency: 3, chunkRows: 5 });
    const first = await nextWithRows(iterator);
    expect(first.done).toBe(false);
    const rowsRead = () => source.lastCycle!.tables.reduce((n, t) => n + t.rowsRead, 0);
    // The one read-ahead lands…
    await waitFor(() => rowsRead() >= 10, 5_000, "the read-ahead chunk");
    const fetchesAfterAhead = ws.stats.fetchResultsCalls;
    // …and nothing else is fetched while nobody pulls (observed over a short window).
    const until = Date.now() + 300;
    while (Date.now() < until) {
      expect(rowsRead()).toBe(10);
      expect(ws.stats.fetchResultsCalls).toBe(fetchesAfterAhead);
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(ws.stats.statementsExecuted).toBeLessThanOrEqual(2);
    const ids = (first.value as SourceChunk).messages.map((m) => m.id);
    await drain(iterator, ids);
    expect([...ids].sort()).toEqual(expected);
    expect(ws.stats.fetchResultsCalls).toBeGreaterThan(expected.length / 5);
  });
});
