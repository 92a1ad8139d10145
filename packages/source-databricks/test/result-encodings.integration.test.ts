import { metrics, trace } from "@opentelemetry/api";
import type { AgentExecution } from "@pipekit/agent-execution";
import { Pipeline, type SourceChunk, silentLogger } from "@pipekit/core";
import { MemoryCheckpointStore, MemorySink } from "@pipekit/core/builtins";
import { mapExecutionToAktoRecords } from "@pipekit/sink-akto/mapping";
import {
  type ResultFormatOption,
  startWorkspaceEmulator,
  type WorkspaceEmulator,
} from "@pipekit/testkit-databricks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabricksSource } from "../src/index.js";

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const SEED = 31;

interface Read {
  /** The Akto records of every execution, one JSON text each, in id order. */
  records: string[];
  ids: string[];
  deadLettered: number;
  statements: number;
}

async function startWorkspace(
  resultFormat: ResultFormatOption,
  cloudFetchThresholdBytes?: number,
): Promise<WorkspaceEmulator> {
  // Every execution surface (payload tables, UC trace tables and views with VARIANT and nested
  // types, experiment traces); small files so one table's result spans many links.
  return startWorkspaceEmulator({
    seed: SEED,
    rowsPerTable: 60,
    agents: 1,
    now: NOW,
    surfaces: ["ai-gateway-beta", "uc-traces-v1", "uc-traces-v2", "experiment-traces"],
    tracesPerTable: 6,
    tracesPerAgent: 7,
    resultFormat,
    cloudFetchFileBytes: 16 * 1024,
    ...(cloudFetchThresholdBytes !== undefined ? { cloudFetchThresholdBytes } : {}),
  });
}

/**
 * One cycle of the real source over the workspace; executions mapped by the real akto_mapping.
 * `cloudFetch` is the source's option (off by default): the cloud-fetch cases offer downloads, as a
 * user who turned it on would.
 */
async function readAll(ws: WorkspaceEmulator, cloudFetch = false): Promise<Read> {
  const sink = new MemorySink<AgentExecution>();
  const deadLetter = new MemorySink();
  const statementsBefore = ws.stats.statementsExecuted;
  const source = createDatabricksSource(
    {
      host: ws.url,
      clientId: ws.credentials.clientId,
      clientSecret: ws.credentials.clientSecret,
      caCert: ws.caPem,
      safetyLagSeconds: 0,
      chunkRows: 25,
      cloudFetch,
    },
    { now: () => NOW },
  );
  const pipeline = new Pipeline({
    source,
    sinks: [{ id: "memory", sink }],
    deadLetter,
    checkpointStore: new MemoryCheckpointStore(),
    logger: silentLogger,
  });
  try {
    await pipeline.open();
    const report = await pipeline.runCycle();
    const executions = [...sink.messages].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return {
      records: executions.flatMap((m) => mapExecutionToAktoRecords(m.value).map((r) => JSON.stringify(r))),
      ids: executions.map((m) => m.id),
      deadLettered: report.deadLettered,
      statements: ws.stats.statementsExecuted - statementsBefore,
    };
  } finally {
    await pipeline.close();
  }
}

describe("the same workspace read through every result encoding", () => {
  let baseline: Read;

  beforeAll(async () => {
    const ws = await startWorkspace("columns");
    try {
      baseline = await readAll(ws);
    } finally {
      await ws.close();
    }
  });

  it("column-based results: a baseline with executions, tool calls and dead letters", () => {
    expect(baseline.ids.length).toBeGreaterThan(100);
    expect(new Set(baseline.ids).size).toBe(baseline.ids.length);
    expect(baseline.records.length).toBeGreaterThan(baseline.ids.length);
    expect(baseline.deadLettered).toBeGreaterThan(0);
  });

  it.each(["arrow", "arrow-lz4", "cloud-fetch", "auto"] as const)(
    "%s results give byte-identical Akto records",
    async (format) => {
      const ws = await startWorkspace(format);
      try {
        const read = await readAll(ws, format === "cloud-fetch");
        expect(read.ids).toEqual(baseline.ids);
        expect(read.deadLettered).toBe(baseline.deadLettered);
        expect(read.records).toEqual(baseline.records);
        if (format === "cloud-fetch") {
          expect(ws.resultLinks.downloaded).toBeGreaterThan(ws.stats.statementsExecuted);
          expect(ws.resultLinks.refused).toBe(0);
        }
      } finally {
        await ws.close();
      }
    },
  );

  it("asks for no cloud-fetch links unless cloudFetch is on (downloads ahead are not bounded by the budget)", async () => {
    // A warehouse answering as Databricks does, whose threshold every table's result passes.
    const ws = await startWorkspace("auto", 1);
    try {
      const byDefault = await readAll(ws);
      expect(ws.resultLinks.downloaded).toBe(0);
      expect(byDefault.records).toEqual(baseline.records);
      const optedIn = await readAll(ws, true);
      expect(ws.resultLinks.downloaded).toBeGreaterThan(0);
      expect(optedIn.records).toEqual(baseline.records);
    } finally {
      await ws.close();
    }
  });

  describe("cloud fetch with links that expire before the driver downloads them", () => {
    let ws: WorkspaceEmulator;
    beforeAll(async () => {
      ws = await startWorkspace("cloud-fetch");
    });
    afterAll(async () => {
      await ws?.close();
    });

    it("the statement runs again for fresh links: nothing lost, nothing repeated", async () => {
      // The driver checks expiryTime and throws; it never asks the warehouse for new links.
      ws.faults.inject({ type: "expired-result-links", count: 2 });
      const read = await readAll(ws, true);
      expect(ws.resultLinks.issuedExpired).toBe(2);
      expect(read.ids).toEqual(baseline.ids);
      expect(read.records).toEqual(baseline.records);
      expect(read.deadLettered).toBe(baseline.deadLettered);
      // Each expired link cost one more run of its table's statement.
      expect(read.statements).toBeGreaterThan(baseline.statements);
    });
  });

  describe.each(["columns", "arrow", "cloud-fetch"] as const)(
    "a token rejected in the middle of a %s result",
    (format) => {
      let ws: WorkspaceEmulator;
      beforeAll(async () => {
        ws = await startWorkspace(format);
      });
      afterAll(async () => {
        await ws?.close();
      });

      it("is replaced; no row is lost (the driver's Arrow read-ahead had taken a batch) or repeated", async () => {
        const store = new MemoryCheckpointStore();
        const source = createDatabricksSource(
          {
            host: ws.url,
            clientId: ws.credentials.clientId,
            clientSecret: ws.credentials.clientSecret,
            caCert: ws.caPem,
            safetyLagSeconds: 0,
            chunkRows: 4,
            tableConcurrency: 1,
            cloudFetch: format === "cloud-fetch",
          },
          { now: () => NOW },
        );
        const iterator = source
          .read({
            componentId: "databricks",
            logger: silentLogger,
            meter: metrics.getMeter("test"),
            tracer: trace.getTracer("test"),
            signal: new AbortController().signal,
            checkpoints: { get: (key) => store.load(key), all: () => store.loadAll() },
          })
          [Symbol.asyncIterator]();
        const ids: string[] = [];
        const take = (chunk: SourceChunk) => ids.push(...chunk.messages.map((m) => m.id));
        try {
          let next = await iterator.next();
          while (!next.done && next.value.messages.length === 0) next = await iterator.next();
          if (!next.done) take(next.value);
          // The next Thrift call (a FetchResults of this result) answers 403 Invalid access token.
          ws.faults.inject({ type: "invalid-token", pathPrefix: ws.httpPath, count: 1 });
          for (next = await iterator.next(); !next.done; next = await iterator.next()) take(next.value);
        } finally {
          await source.close();
        }
        expect(ws.faults.list()).toEqual([]); // the fault was hit
        expect(ids.length).toBe(new Set(ids).size);
        expect([...ids].sort()).toEqual(baseline.ids);
      });
    },
  );
});
