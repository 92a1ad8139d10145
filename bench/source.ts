/**
 * Databricks source throughput and memory: 1,000,000 seeded rows (4 payload tables) streamed
 * through the source with the real SQL driver, chunks pulled and discarded. The emulator runs in a
 * child process so its heap does not count. Baseline: the bare driver fetching one of the same
 * tables with the same chunk size, in the same run.
 *   sourceRowsPerSec       rows/s through createDatabricksSource (normalised AgentExecutions)
 *   sourcePeakHeapMB       peak live V8 heap (sampled after a full GC every 100 chunks; target < 200)
 *   sourcePeakHeapRawMB    peak heapUsed sampled without forcing GC (garbage included)
 *   sourceDriverRowsPerSec rows/s of the bare driver (fetchChunk loop, rows discarded)
 *   sourceVsDriverRatio    sourceRowsPerSec / sourceDriverRowsPerSec
 *   sourceHeapCapMB        the same 1,000,000 rows again in a child process whose V8 heap is capped
 *                          at this size (the target): it completing proves the bound without
 *                          relying on forced GCs (the run fails with out-of-memory otherwise)
 *   sourceCappedRowsPerSec rows/s of that capped run
 * The figures above are measured with column-based results (COLUMN_BASED_SET). The same source and
 * driver runs again against a warehouse answering as Databricks does by default (the emulator's
 * "auto": Arrow with LZ4; both ask without cloud fetch, the source's default):
 *   sourceRowsPerSecArrow       rows/s through the source
 *   sourceDriverRowsPerSecArrow rows/s of the bare driver
 *   sourceVsDriverRatioArrow    sourceRowsPerSecArrow / sourceDriverRowsPerSecArrow
 */
import { fork } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { type SourceContext, silentLogger } from "@pipekit/core";
import { MemoryCheckpointStore } from "@pipekit/core/builtins";
import { createDatabricksSource } from "@pipekit/source-databricks";
import { type EmulatorInfo, startEmulatorProcess } from "./support/databricks-emulator.js";

/** The slice of @databricks/sql the baseline uses (the driver is a dependency of the source package only). */
interface BareDriver {
  DBSQLClient: new () => {
    connect(options: Record<string, unknown>): Promise<unknown>;
    openSession(): Promise<{
      executeStatement(
        sql: string,
        options: { maxRows: number; useCloudFetch?: boolean },
      ): Promise<{
        fetchChunk(options: { maxRows: number; disableBuffering: boolean }): Promise<object[]>;
        hasMoreRows(): Promise<boolean>;
        close(): Promise<unknown>;
      }>;
      close(): Promise<unknown>;
    }>;
    close(): Promise<void>;
  };
}
// Resolved from the source package: the driver and the OTel API are its dependencies, not the root's.
const requireFromSource = createRequire(
  new URL("../packages/source-databricks/package.json", import.meta.url),
);
const { DBSQLClient } = requireFromSource("@databricks/sql") as BareDriver;
const otel = requireFromSource("@opentelemetry/api") as {
  metrics: { getMeter(name: string): SourceContext["meter"] };
  trace: { getTracer(name: string): SourceContext["tracer"] };
};

const TOTAL_ROWS = 1_000_000;
const AGENTS = 1; // 3 AI Gateway tables + 1 legacy table
const TABLES = 3 * AGENTS + 1;
const CHUNK_ROWS = 2_000;
const HEAP_CAP_MB = 200;
/** Set in the capped child: it runs throughSource once and reports over IPC. */
const CHILD_ENV = "PIPEKIT_SOURCE_BENCH_CHILD";

/**
 * Two views of the heap: `raw` samples heapUsed as it is (garbage included, so it depends on when
 * V8 collects), `live` samples it right after a full collection every 100 chunks (what the source
 * actually retains). Bounded memory means `live` stays flat however many rows stream through.
 */
function heapSampler() {
  const gc = (globalThis as { gc?: () => void }).gc;
  let raw = 0;
  let live = 0;
  let chunks = 0;
  const sample = () => {
    raw = Math.max(raw, process.memoryUsage().heapUsed);
  };
  const timer = setInterval(sample, 20);
  return {
    chunk: () => {
      sample();
      if (gc && ++chunks % 100 === 0) {
        gc();
        live = Math.max(live, process.memoryUsage().heapUsed);
      }
    },
    stop: () => {
      clearInterval(timer);
      sample();
      return { rawMB: raw / 2 ** 20, liveMB: live / 2 ** 20 };
    },
  };
}

async function throughSource(
  info: EmulatorInfo,
): Promise<{ rowsPerSec: number; peakHeapMB: number; rawPeakHeapMB: number }> {
  const source = createDatabricksSource({
    host: info.url,
    clientId: info.clientId,
    clientSecret: info.clientSecret,
    caCert: info.caPem,
    lookBackMinutes: 24 * 60,
    safetyLagSeconds: 0,
    chunkRows: CHUNK_ROWS,
    tableConcurrency: 2,
  });
  const store = new MemoryCheckpointStore();
  (globalThis as { gc?: () => void }).gc?.();
  const heap = heapSampler();
  const started = performance.now();
  let emitted = 0;
  let rejected = 0;
  try {
    for await (const chunk of source.read({
      componentId: "databricks",
      logger: silentLogger,
      meter: otel.metrics.getMeter("bench"),
      tracer: otel.trace.getTracer("bench"),
      signal: new AbortController().signal,
      checkpoints: { get: (k) => store.load(k), all: () => store.loadAll() },
    })) {
      emitted += chunk.messages.length;
      rejected += chunk.rejected?.length ?? 0;
      heap.chunk();
    }
  } finally {
    await source.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const { rawMB, liveMB } = heap.stop();
  const expected = info.tables.reduce((n, t) => n + t.rowCount, 0);
  if (emitted + rejected !== expected) {
    throw new Error(`source emitted ${emitted} + rejected ${rejected}, expected ${expected} rows`);
  }
  return { rowsPerSec: expected / seconds, peakHeapMB: liveMB, rawPeakHeapMB: rawMB };
}

async function throughDriver(info: EmulatorInfo): Promise<number> {
  const table = info.tables[0]!;
  const client = new DBSQLClient();
  await client.connect({
    host: info.hostname,
    port: info.port,
    path: info.httpPath,
    token: await oauthToken(info),
    customCaCert: info.caPem,
    telemetryEnabled: false,
  });
  const session = await client.openSession();
  const started = performance.now();
  let rows = 0;
  try {
    const [c, s, t] = table.fullName.split(".");
    const op = await session.executeStatement(
      "SELECT `databricks_request_id`, `request_time`, `status_code`, `request`, `response`, `client_request_id`, " +
        "`execution_duration_ms`, `logging_error_codes`, `served_entity_id`, `requester` " +
        `FROM \`${c}\`.\`${s}\`.\`${t}\` ORDER BY \`request_time\`, \`databricks_request_id\``,
      // As the source asks by default (its cloudFetch option is off: downloads ahead are unbounded).
      { maxRows: CHUNK_ROWS, useCloudFetch: false },
    );
    do {
      rows += (await op.fetchChunk({ maxRows: CHUNK_ROWS, disableBuffering: true })).length;
    } while (await op.hasMoreRows());
    await op.close();
  } finally {
    await session.close();
    await client.close();
  }
  if (rows !== table.rowCount) throw new Error(`driver read ${rows} rows, expected ${table.rowCount}`);
  return rows / ((performance.now() - started) / 1000);
}

async function oauthToken(info: EmulatorInfo): Promise<string> {
  const { Agent, fetch } = await import("undici");
  const { rootCertificates } = await import("node:tls");
  const agent = new Agent({ connect: { ca: [...rootCertificates, info.caPem] } });
  try {
    const res = await fetch(`${info.url}/oidc/v1/token`, {
      method: "POST",
      dispatcher: agent,
      headers: {
        authorization: `Basic ${Buffer.from(`${info.clientId}:${info.clientSecret}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "grant_type=client_credentials&scope=all-apis",
    });
    return ((await res.json()) as { access_token: string }).access_token;
  } finally {
    await agent.close();
  }
}

/** throughSource in a child process with a capped V8 heap. */
function throughSourceCapped(info: EmulatorInfo): Promise<number> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: [
      "--expose-gc",
      `--max-old-space-size=${HEAP_CAP_MB}`,
      "--conditions=@pipekit/source",
      "--import",
      "tsx",
    ],
    env: { ...process.env, [CHILD_ENV]: JSON.stringify(info) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", (m) => resolve((m as { rowsPerSec: number }).rowsPerSec));
    child.once("exit", (code) =>
      reject(new Error(`source run with a ${HEAP_CAP_MB} MB heap exited with ${code} (out of memory?)`)),
    );
  });
}

const childInfo = process.env[CHILD_ENV];
if (childInfo) {
  const { rowsPerSec } = await throughSource(JSON.parse(childInfo) as EmulatorInfo);
  process.send?.({ rowsPerSec }, () => process.exit(0));
}

export async function run(): Promise<Record<string, number>> {
  return { ...(await columnBased()), ...(await arrowBased()) };
}

async function columnBased(): Promise<Record<string, number>> {
  const emulator = await startEmulatorProcess({
    seed: 1,
    agents: AGENTS,
    rowsPerTable: TOTAL_ROWS / TABLES,
    resultFormat: "columns",
  });
  const { info } = emulator;
  try {
    const driverRowsPerSec = await throughDriver(info);
    const { rowsPerSec, peakHeapMB, rawPeakHeapMB } = await throughSource(info);
    const cappedRowsPerSec = await throughSourceCapped(info);
    return {
      sourceHeapCapMB: HEAP_CAP_MB,
      sourceCappedRowsPerSec: Math.round(cappedRowsPerSec),
      sourceRowsPerSec: Math.round(rowsPerSec),
      sourcePeakHeapMB: Math.round(peakHeapMB * 10) / 10,
      sourcePeakHeapRawMB: Math.round(rawPeakHeapMB * 10) / 10,
      sourceDriverRowsPerSec: Math.round(driverRowsPerSec),
      sourceVsDriverRatio: Math.round((rowsPerSec / driverRowsPerSec) * 100) / 100,
    };
  } finally {
    await emulator.close();
  }
}

/** The same runs against the warehouse's default answer to the driver: Arrow with LZ4, inline. */
async function arrowBased(): Promise<Record<string, number>> {
  const emulator = await startEmulatorProcess({ seed: 1, agents: AGENTS, rowsPerTable: TOTAL_ROWS / TABLES });
  const { info } = emulator;
  try {
    const driverRowsPerSec = await throughDriver(info);
    const { rowsPerSec } = await throughSource(info);
    return {
      sourceRowsPerSecArrow: Math.round(rowsPerSec),
      sourceDriverRowsPerSecArrow: Math.round(driverRowsPerSec),
      sourceVsDriverRatioArrow: Math.round((rowsPerSec / driverRowsPerSec) * 100) / 100,
    };
  } finally {
    await emulator.close();
  }
}
