import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { runShield } from "../process/runner-process.js";

/** Knobs databricks-shield does not expose as environment variables. */
export interface PipelineTuning {
  /** Rows per SQL fetch (one source chunk each). */
  readonly chunkRows?: number;
  /** A checkpoint travels with a chunk at least every this many rows of a table. */
  readonly checkpointEveryRows?: number;
  /** Tables read at once. */
  readonly tableConcurrency?: number;
  /** The engine's in-flight budget (messages read and not yet acknowledged by every sink). */
  readonly budgetMessages?: number;
  /** Batch policy and retry policy per sink id ("akto", "kafka"). */
  readonly batch?: Readonly<Record<string, { maxCount?: number; lingerMs?: number }>>;
  readonly retry?: Readonly<
    Record<string, { maxAttempts?: number; initialDelayMs?: number; maxDelayMs?: number }>
  >;
  readonly schedule?: { once: true } | { intervalSeconds: number };
  /** Override the checkpoint file (e.g. a read-only directory, /dev/full). */
  readonly checkpointPath?: string;
}

type Doc = {
  source: Record<string, unknown>;
  sinks: Record<string, unknown>[];
  checkpoints: { path: string };
  [key: string]: unknown;
};

/**
 * The pipeline file databricks-shield itself generates for this environment (`--print-pipeline`,
 * secrets left as `${VAR}` references), with the tuning applied, written to `dir/<name>`. Run it
 * with `pipeline run <file>` and the same environment: the same process a user runs, with knobs
 * small enough for a crash to land mid-stream.
 */
export async function writeTunedShieldPipeline(
  env: Readonly<Record<string, string>>,
  dir: string,
  tuning: PipelineTuning,
  name = "tuned-pipeline.yaml",
): Promise<string> {
  const printed = await runShield(["--print-pipeline"], env);
  if (printed.code !== 0) {
    throw new Error(`databricks-shield --print-pipeline exited with ${printed.code}: ${printed.stderr}`);
  }
  const doc = parse(printed.stdout) as Doc;
  if (tuning.chunkRows !== undefined) doc.source.chunkRows = tuning.chunkRows;
  if (tuning.checkpointEveryRows !== undefined) doc.source.checkpointEveryRows = tuning.checkpointEveryRows;
  if (tuning.tableConcurrency !== undefined) doc.source.tableConcurrency = tuning.tableConcurrency;
  if (tuning.budgetMessages !== undefined) doc.budget = { maxMessages: tuning.budgetMessages };
  for (const sink of doc.sinks) {
    const id = String(sink.id);
    const batch = tuning.batch?.[id];
    if (batch) sink.batch = { ...(sink.batch as object), ...batch };
    const retry = tuning.retry?.[id];
    if (retry) sink.retry = retry;
  }
  if (tuning.schedule) doc.schedule = tuning.schedule;
  if (tuning.checkpointPath) doc.checkpoints = { path: tuning.checkpointPath };
  const file = join(dir, name);
  await writeFile(file, stringify(doc, { lineWidth: 0 }));
  return file;
}
