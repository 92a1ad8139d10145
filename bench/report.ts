import { writeFileSync } from "node:fs";

/** What each figure means and, for ratios, what it is compared with and the target. */
const DESCRIPTIONS: Record<string, string> = {
  scaleCycleMs1: "one cycle over 121 emulated tables (250 ms per SQL statement), 1 instance, ms",
  scaleCycleMs2: "the same cycle shared by 2 instances through a Kafka consumer group, ms",
  scaleCycleMs3: "the same cycle shared by 3 instances, ms",
  scaleSpeedup2: "cycle time 1 instance ÷ 2 instances (target ≥ 1.7)",
  scaleSpeedup3: "cycle time 1 instance ÷ 3 instances (target ≥ 2.4)",
  throughputRatio: "core engine ÷ hand-written loop, generate → 2 transforms → null (target ≥ 0.5)",
  tracingOffMessagesPerCpuSec:
    "core workload (generate → 2 transforms → null), no trace SDK, messages per CPU-second",
  tracingOnMessagesPerCpuSec:
    "the same with an SDK tracer provider as the runner sets it up (10 % sampling, W3C propagation)",
  tracingOverhead: "tracing on ÷ off, median of paired runs in one process (target ≥ 0.95)",
  coreMessagesPerSec: "core engine messages/s (generate → 2 transforms → null sink)",
  baselineMessagesPerSec: "hand-written loop doing the same work, messages/s (baseline)",
  stalledSinkPeakHeapMB:
    "peak heap, 1,000,000 × 1 KiB messages, 10 MiB budget, sink never completes (target < 150)",
  sourceRowsPerSec:
    "Databricks source rows/s through the real driver and the emulator (column-based results)",
  sourcePeakHeapMB: "peak live heap (after forced GCs) streaming 1,000,000 seeded rows (target < 200)",
  sourcePeakHeapRawMB: "peak heapUsed without forced GCs (uncollected garbage included)",
  sourceHeapCapMB: "the same 1,000,000 rows complete in a child whose V8 heap is capped at this size",
  sourceCappedRowsPerSec: "rows/s of that heap-capped run",
  sourceDriverRowsPerSec: "bare @databricks/sql driver rows/s on one of the tables (baseline)",
  sourceVsDriverRatio: "source ÷ bare driver",
  sourceRowsPerSecArrow:
    "source rows/s with the warehouse's default answer to the driver (Arrow; cloud fetch for these large results)",
  sourceDriverRowsPerSecArrow: "bare driver rows/s on one of the tables, Arrow results (baseline)",
  sourceVsDriverRatioArrow: "source ÷ bare driver, Arrow results",
  redactMBps1k: "redaction MB/s on 1 KB agent payloads",
  redactMBps16k: "redaction MB/s on 16 KB agent payloads",
  redactMBps1m: "redaction MB/s on 1 MB agent payloads",
  jsonRoundTripMBps16k: "JSON parse + stringify MB/s on the same 16 KB payloads (baseline)",
  redactVsJsonRoundTrip: "redaction ÷ JSON round trip on 16 KB (target ≥ 0.33)",
  transformChainRowsPerSec: "rows/s through redact → akto_mapping on the main thread, no I/O (baseline)",
  transformWorkers1RowsPerSec: "the same chain in core's workerPoolTransform, 1 worker thread",
  transformWorkers2RowsPerSec: "the same chain with 2 worker threads",
  transformWorkersSpeedup2: "2 worker threads ÷ main thread: how the chain scales with cores",
  kafkaSinkRecordsPerSec: "sink-kafka records/s, 100,000 × 1 KiB, real broker",
  rawKafkajsRecordsPerSec: "raw kafkajs producer, same records and batch size (baseline)",
  kafkaSinkVsRawKafkajs: "sink-kafka ÷ raw kafkajs (target ≥ 0.8)",
  aktoSinkRecordsPerSec: "sink-akto records/s against the Akto ingestion emulator",
  rawHttpRecordsPerSec: "raw undici POSTs of the same batches (baseline)",
  aktoSinkVsRawHttp: "sink-akto ÷ raw HTTP",
  e2eRowsPerSec: "end to end rows/s: emulator → redact → map → Kafka",
  e2ePeakRssMB: "peak RSS of the end-to-end run",
  throttledPeakRssMB: "peak RSS with the sink throttled to 10% speed",
  crashTrials:
    "SIGKILLs of the runner at seeded points (discovery, mid-read, mid-delivery, after a checkpoint)",
  crashTrialsKilled: "trials whose run was killed before it finished (the rest ended on their own)",
  crashTrialsLost:
    "trials after which an execution the checkpoint calls delivered was missing from a sink (must be 0)",
  crashDuplicates: "re-deliveries over Kafka + Akto after all crash trials and a final clean run",
  crashMaxUncommittedAtKill: "largest delivered-but-uncommitted window (one sink) right after a kill",
  crashDuplicateBoundPerCrash: "bound asserted on that window (in-flight budget + checkpoint spacing)",
  e2eRecordsPerSec: "end to end Akto records/s into Kafka (one per execution plus one per tool call)",
  e2eRows: "rows delivered or dead-lettered in the end-to-end run (1,000,000 when complete)",
  e2eComplete: "1 when all 1,000,000 rows went through; 0 when the 540 s cap stopped the run",
  e2eDeadLettered: "rows dead-lettered in the end-to-end run (the seeded malformed rows)",
  e2eSeconds: "wall time of the end-to-end run (open → all acknowledged)",
  e2eCpuMsPer1kRows:
    "CPU ms (user + system, all threads) of the pipeline process per 1,000 rows: its cost, steadier than a rate on a shared machine",
  e2eMachineCpuMsPer1kRows:
    "CPU ms of the whole machine (pipeline + emulator + broker) per 1,000 rows of the full run: what a row costs the box",
  e2eEmulatorCpuMsPer1kRows:
    "the workspace emulator's share of e2eMachineCpuMsPer1kRows (DuckDB, Arrow, HTTPS)",
  e2eCpuCeilingRowsPerSec:
    "cores × 1e6 ÷ e2eMachineCpuMsPer1kRows: rows/s at which that cost keeps every core busy (the pipeline cannot pass it without costing less)",
  e2eBaselineRssMB: "RSS of the end-to-end pipeline process before it opened (baseline)",
  throttledRecordsPerSec: "the throttled Kafka sink's target rate (10% of e2eRecordsPerSec)",
  throttledActualRecordsPerSec: "records/s the throttled run actually delivered",
  throttledRssAt20sMB: "throttled run: peak RSS in the 5 s before 20 s",
  throttledRssAt60sMB: "throttled run: peak RSS in the 5 s before 60 s",
  throttledRssGrowthMB: "throttled run: RSS at 60 s − RSS at 20 s (flat memory ⇒ about 0)",
  e2eSeededRows: "rows seeded for the end-to-end run (BENCH_E2E_ROWS, default 1,000,000)",
  e2eVsSourceRatio: "e2eRowsPerSec ÷ sourceRowsPerSec, both from the same `pnpm bench` run",
  e2eCpuPctSourceDecode:
    "end-to-end CPU profile: % of samples in the Databricks source and its driver (thrift, lz4, arrow)",
  e2eCpuPctNormalise: "end-to-end CPU profile: % in the source's normalise step",
  e2eCpuPctRedact: "end-to-end CPU profile: % in packages/redact",
  e2eCpuPctMap: "end-to-end CPU profile: % in the akto_mapping transform",
  e2eCpuPctEncode: "end-to-end CPU profile: % in JSON.stringify and encode paths",
  e2eCpuPctKafka: "end-to-end CPU profile: % in kafkajs and packages/sink-kafka",
  e2eCpuPctEngine: "end-to-end CPU profile: % in packages/core (the engine)",
  e2eCpuPctGc: "end-to-end CPU profile: % in the garbage collector",
  e2eCpuPctIdle: "end-to-end CPU profile: % idle (waiting on I/O) or in V8 itself ((program))",
  e2eCpuPctOther: "end-to-end CPU profile: % anywhere else (Node internals, other libraries)",
  fileToFilePeakRssMB:
    "peak RSS of `pipeline run`, YAML jsonl_file → redact → jsonl_file, 1,000,000 × 1 KiB lines (target ≤ 120, goal 80)",
  fileToFileBaselineRssMB: "peak RSS of the same `pipeline run` over 10 lines: Node + modules (baseline)",
  fileToFileLinesPerSec: "lines/s of that run, process start → exit",
  fileToFileSeconds: "wall time of that run",
  fileToFileComplete: "1 when every input id arrived exactly once in the output file (both runs)",
  fileToFileSmallHeapPeakRssMB:
    "the same run with NODE_OPTIONS='--max-semi-space-size=4 --max-old-space-size=128' (see bench/file.ts)",
  fileToFileSmallHeapLinesPerSec: "lines/s of that small-heap run",
};

/** The CPU profile figures as a table of their own, largest share first. */
function cpuSection(results: Record<string, number | string>): string {
  const rows = Object.entries(results)
    .filter(([k, v]) => k.startsWith("e2eCpuPct") && typeof v === "number")
    .sort((a, b) => Number(b[1]) - Number(a[1]))
    .map(([k, v]) => `| ${k.slice("e2eCpuPct".length)} | ${Number(v).toFixed(1)} % |`);
  if (rows.length === 0) return "";
  return `
## Where the e2e pipeline's CPU goes

Self time per stage from \`--cpu-prof\` of the end-to-end pipeline process over
${formatNumber(Number(results.e2eSeededRows ?? 1_000_000))} rows (bench/support/cpu-profile-summary.ts
says which code counts as which stage). Idle is time the process waited (I/O, the broker, the emulator).

| stage | share of samples |
| --- | --- |
${rows.join("\n")}
`;
}

export function writeReport(path: string, results: Record<string, number | string>): void {
  const rows = Object.entries(results)
    .filter(([, v]) => typeof v === "number")
    .map(([k, v]) => `| \`${k}\` | ${formatNumber(v as number)} | ${DESCRIPTIONS[k] ?? ""} |`);
  const text = `# Benchmarks

Written by \`pnpm bench\` (also \`bench/results.json\`). Ratios compare against a baseline measured in the
same run, because these machines are shared and noisy: read the ratios, not the absolute numbers.

- machine: ${results.machine}
- node: ${results.node}
- date: ${results.date}

| figure | value | what it is |
| --- | --- | --- |
${rows.join("\n")}
${cpuSection(results)}`;
  writeFileSync(path, text);
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? v.toLocaleString("en-US") : v.toFixed(v < 10 ? 3 : 1);
}
