import type { MeterProvider } from "@opentelemetry/api";
import {
  type CheckpointStore,
  type CycleReport,
  type Logger,
  Pipeline,
  type PipelineOptions,
} from "@pipekit/core";
import type { CycleOptions, StopReport } from "@pipekit/core/advanced";
import { FileCheckpointStore } from "@pipekit/core/builtins";

/** What the runner needs from a cycle's report. */
export type CycleSummary = Pick<
  CycleReport,
  | "received"
  | "receivedBytes"
  | "sent"
  | "deadLettered"
  | "retries"
  | "checkpoints"
  | "durationMs"
  | "errors"
  | "stopped"
  | "deadlineReached"
  | "undelivered"
  | "unsent"
  | "unacknowledged"
  | "abandoned"
>;

/** What the runner needs from a drain. */
export type DrainSummary = Pick<
  StopReport,
  "drained" | "abandonedMessages" | "undelivered" | "checkpoints" | "durationMs"
>;

/** The engine the service drives: core's Pipeline satisfies this. */
export interface CycleEngine {
  open(): Promise<void>;
  /** `options.deadline`: a one-shot run's time limit (stop reading, drain, leave the rest). */
  runCycle(options?: CycleOptions): Promise<CycleSummary>;
  stop(options: { timeoutMs?: number }): Promise<DrainSummary>;
  close(options: { timeoutMs?: number }): Promise<void>;
}

/** The options of core's Pipeline that the runner fills in (core declares them; no copy here). */
export type EngineOptions = Pick<
  PipelineOptions,
  "id" | "source" | "transforms" | "sinks" | "deadLetter" | "checkpointStore" | "checkpoint" | "budget"
> & { readonly logger: Logger; readonly meterProvider?: MeterProvider };

/** Core's engine; the runner only relies on the CycleEngine subset of it. */
export function createEngine(options: EngineOptions): CycleEngine {
  return new Pipeline(options);
}

export function createFileCheckpointStore(path: string): CheckpointStore {
  return new FileCheckpointStore(path);
}
