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
import { type ComponentContext, type Message, silentLogger } from "@pipekit/core";
import { redactTransform } from "@pipekit/redact";
import { aktoMappingTransform } from "@pipekit/sink-akto/mapping";
import { normaliseSeeded, seedRows } from "./seed-rows.js";

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

async function main() {
  const rows = seedRows(ROWS, 42);
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
    const executions = normaliseSeeded(rows);
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
