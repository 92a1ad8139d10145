/**
 * The Akto path's transforms (redact → akto_mapping) on the main thread beside the same chain in
 * core's workerPoolTransform with 1 and 2 worker threads, in one process without I/O, on the
 * emulator's seed payloads (normalised once up front): how far the chain scales with threads when
 * nothing else competes for the cores (in the e2e run the emulator and the broker take their share).
 *   transformChainRowsPerSec      rows/s through the chain on the main thread
 *   transformWorkers1RowsPerSec   rows/s with the chain in 1 worker thread
 *   transformWorkers2RowsPerSec   rows/s with 2 worker threads
 *   transformWorkersSpeedup2      transformWorkers2RowsPerSec ÷ transformChainRowsPerSec
 * Each figure is the best of ROUNDS passes, after a warm-up pass (each pool is started afresh).
 */
import type { AgentExecution } from "@pipekit/agent-execution";
import { type ComponentContext, createMessage, type Message, silentLogger } from "@pipekit/core";
import { workerPoolTransform } from "@pipekit/core/advanced";
import { normaliseRow } from "../packages/source-databricks/src/normalise/normalise-row.js";
import { type AgentTask, buildTemplates } from "../packages/testkit-databricks/src/seed/payloads.js";
import { Prng } from "../packages/testkit-databricks/src/seed/prng.js";
import { createTransforms } from "./support/e2e-transform-chain.js";

const ROWS = 40_000;
const ROUNDS = 3;
const CHAIN_MODULE = new URL("./support/e2e-transform-chain.ts", import.meta.url);

const noop = { add() {}, record() {} };
const ctx = {
  componentId: "bench.transform_workers",
  logger: silentLogger,
  meter: {
    createCounter: () => noop,
    createUpDownCounter: () => noop,
    createHistogram: () => noop,
  } as unknown as ComponentContext["meter"],
  tracer: {} as ComponentContext["tracer"],
  signal: new AbortController().signal,
} as ComponentContext;

function executions(count: number): Message<AgentExecution>[] {
  const prng = new Prng(7);
  const tasks: AgentTask[] = ["agent/v2/chat", "agent/v1/responses", "llm/v1/chat"];
  const pools = tasks.map((task, i) => ({
    task,
    endpoint: `agent-${i}`,
    templates: buildTemplates(prng, { task, endpoint: `agent-${i}`, model: `main.agents.model_${i}` }, 256),
  }));
  const start = Date.UTC(2026, 11, 1, 12);
  const out: Message<AgentExecution>[] = [];
  for (let i = 0; out.length < count; i++) {
    const pool = pools[i % pools.length]!;
    const t = pool.templates[Math.floor(i / pools.length) % pool.templates.length]!;
    try {
      const e = normaliseRow(
        {
          databricks_request_id: `req-${i}`,
          request_time: new Date(start + i * 10).toISOString(),
          status_code: t.statusCode,
          execution_duration_ms: t.durationMs,
          request: t.request,
          response: t.response,
          requester: t.requester,
          logging_error_codes: t.loggingErrorCodes,
        },
        "ai-gateway",
        { endpoint: pool.endpoint, task: pool.task },
        { workspace: "adb-1.2.azuredatabricks.net", table: "w.d.t" },
      );
      out.push(createMessage(e.requestId, e, {}, 512 + e.rawRequest.length + e.rawResponse.length));
    } catch {
      // the seed's malformed rows
    }
  }
  return out;
}

async function inline(messages: readonly Message[]): Promise<number> {
  const [redact, mapping] = createTransforms();
  await redact!.transform.open?.(ctx);
  const started = performance.now();
  let records = 0;
  for (const m of messages) {
    const redacted = redact!.transform.transform(m, ctx) as Message;
    records += (mapping!.transform.transform(redacted, ctx) as Message[]).length;
  }
  if (records === 0) throw new Error("the chain produced no records");
  return messages.length / ((performance.now() - started) / 1000);
}

/** Keeps as many messages in flight as the pool asks for, as the engine does. */
async function pooled(messages: readonly Message[], threads: number): Promise<number> {
  const pool = workerPoolTransform({ module: CHAIN_MODULE, threads });
  await pool.open(ctx);
  try {
    const started = performance.now();
    let next = 0;
    let records = 0;
    await new Promise<void>((done, fail) => {
      let active = 0;
      const pump = () => {
        while (active < pool.concurrency && next < messages.length) {
          active++;
          pool.transform(messages[next++]!).then((outputs) => {
            records += outputs.length;
            active--;
            if (next >= messages.length && active === 0) done();
            else pump();
          }, fail);
        }
      };
      pump();
    });
    if (records === 0) throw new Error("the pool produced no records");
    return messages.length / ((performance.now() - started) / 1000);
  } finally {
    await pool.close();
  }
}

async function best(measure: () => Promise<number>): Promise<number> {
  await measure(); // warm-up
  let top = 0;
  for (let round = 0; round < ROUNDS; round++) top = Math.max(top, await measure());
  return Math.round(top);
}

export async function run(): Promise<Record<string, number>> {
  const messages = executions(ROWS);
  const transformChainRowsPerSec = await best(() => inline(messages));
  const transformWorkers1RowsPerSec = await best(() => pooled(messages, 1));
  const transformWorkers2RowsPerSec = await best(() => pooled(messages, 2));
  return {
    transformChainRowsPerSec,
    transformWorkers1RowsPerSec,
    transformWorkers2RowsPerSec,
    transformWorkersSpeedup2: Number((transformWorkers2RowsPerSec / transformChainRowsPerSec).toFixed(2)),
  };
}
