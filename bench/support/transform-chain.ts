/**
 * By hand, not part of `pnpm bench`: rows/s of the per-message path behind the Databricks source,
 * normalised AgentExecution → redact → akto_mapping → the bytes a sink sends (the JSON line of each
 * record, as the Kafka/JSONL sinks produce it), in one process without I/O, so profiles show only
 * that path. Rows are the emulator's seed payloads (three agents, one per task, 256 templates each).
 *
 *   node --expose-gc --conditions=@pipekit/source --import tsx bench/support/transform-chain.ts [rows] [sinks]
 *   (add --cpu-prof to profile)
 *
 * Prints { rows, rowsPerSec, normaliseRowsPerSec, records, recordBytes (summed over the sinks) }.
 */
import type { AgentExecution } from "@pipekit/agent-execution";
import { type ComponentContext, createMessage, type Message, silentLogger } from "@pipekit/core";
import { redactTransform } from "@pipekit/redact";
import { aktoMappingTransform } from "@pipekit/sink-akto/mapping";
// The normaliser by file (not the package entry): only it is under test, not the source's I/O.
import { normaliseRow } from "../../packages/source-databricks/src/normalise/normalise-row.js";
import { type AgentTask, buildTemplates } from "../../packages/testkit-databricks/src/seed/payloads.js";
import { Prng } from "../../packages/testkit-databricks/src/seed/prng.js";

const ROWS = Number(process.argv[2] ?? 30_000);
/** Sinks writing each record (the shield's pipeline: Kafka and Akto HTTP); each one serialises what is not pre-encoded. */
const SINKS = Number(process.argv[3] ?? 2);
const ROUNDS = 3;

const noopCounter = { add() {} };
const ctx = {
  componentId: "bench.chain",
  logger: silentLogger,
  meter: { createCounter: () => noopCounter } as unknown as ComponentContext["meter"],
  tracer: {} as ComponentContext["tracer"],
  signal: new AbortController().signal,
} as ComponentContext;

function seedRows(count: number): { row: Record<string, unknown>; task: AgentTask; endpoint: string }[] {
  const prng = new Prng(42);
  const tasks: AgentTask[] = ["agent/v2/chat", "agent/v1/responses", "llm/v1/chat"];
  const pools = tasks.map((task, i) => ({
    task,
    endpoint: `agent-${i}`,
    templates: buildTemplates(prng, { task, endpoint: `agent-${i}`, model: `main.agents.model_${i}` }, 256),
  }));
  const start = Date.UTC(2026, 11, 1, 12);
  return Array.from({ length: count }, (_, i) => {
    const pool = pools[i % pools.length]!;
    const t = pool.templates[Math.floor(i / pools.length) % pool.templates.length]!;
    return {
      task: pool.task,
      endpoint: pool.endpoint,
      row: {
        databricks_request_id: `req-${i}`,
        request_time: new Date(start + i * 10).toISOString(),
        status_code: t.statusCode,
        execution_duration_ms: t.durationMs,
        request: t.request,
        response: t.response,
        requester: t.requester,
        logging_error_codes: t.loggingErrorCodes,
      },
    };
  });
}

async function main() {
  const rows = seedRows(ROWS);
  const redact = redactTransform({});
  const mapping = aktoMappingTransform({});
  await redact.open?.(ctx);

  let normaliseBest = 0;
  let chainBest = 0;
  let records = 0;
  let recordBytes = 0;
  for (let round = 0; round < ROUNDS; round++) {
    globalThis.gc?.();
    const t0 = performance.now();
    const executions: Message<AgentExecution>[] = [];
    for (const { row, task, endpoint } of rows) {
      try {
        const e = normaliseRow(
          row,
          "ai-gateway",
          { endpoint, task },
          { workspace: "adb-1.2.azuredatabricks.net", table: "w.d.t" },
        );
        executions.push(createMessage(e.requestId, e, {}, 512 + e.rawRequest.length + e.rawResponse.length));
      } catch {
        // the seed's malformed rows: the source dead-letters them
      }
    }
    const t1 = performance.now();
    records = 0;
    recordBytes = 0;
    for (const message of executions) {
      const redacted = (await redact.transform(message, ctx)) as Message<AgentExecution>;
      const out = (await mapping.transform(redacted, ctx)) as Message[];
      for (const record of out) {
        // What a sink writes: the pre-encoded text, else the value serialised (as sinks did before it).
        const encoded = (record as { encoded?: { text: string } }).encoded;
        for (let sink = 0; sink < SINKS; sink++) {
          recordBytes += (encoded?.text ?? JSON.stringify(record.value)).length + 1;
        }
        records++;
      }
    }
    const t2 = performance.now();
    normaliseBest = Math.max(normaliseBest, executions.length / ((t1 - t0) / 1000));
    chainBest = Math.max(chainBest, executions.length / ((t2 - t1) / 1000));
  }
  console.log(
    JSON.stringify({
      rows: ROWS,
      rowsPerSec: Math.round(chainBest),
      normaliseRowsPerSec: Math.round(normaliseBest),
      records,
      recordBytes,
    }),
  );
}

await main();
