import type { MeterProvider } from "@opentelemetry/api";
import {
  type CheckpointStore,
  type CycleReport,
  type Logger,
  Pipeline,
  type Sink,
  type Source,
  type Transform,
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

/** The options of core's Pipeline that the runner fills in (names as in core's PipelineOptions). */
export interface EngineOptions {
  readonly id: string;
  readonly source: Source;
  readonly transforms: readonly { readonly id: string; readonly transform: Transform }[];
  readonly sinks: readonly {
    readonly id: string;
    readonly sink: Sink;
    readonly batch?: { maxCount?: number; maxBytes?: number; lingerMs?: number };
    readonly retry?: {
      maxAttempts?: number;
      initialDelayMs?: number;
      maxDelayMs?: number;
      maxElapsedMs?: number;
    };
    readonly concurrency?: number;
  }[];
  readonly deadLetter?: string;
  readonly checkpointStore?: CheckpointStore;
  readonly checkpoint?: { flushIntervalMs?: number };
  readonly budget?: { maxMessages?: number; maxBytes?: number };
  readonly logger: Logger;
  readonly meterProvider?: MeterProvider;
}

/** Core's engine; the runner only relies on the CycleEngine subset of it. */
export function createEngine(options: EngineOptions): CycleEngine {
  return new Pipeline(options);
}

export function createFileCheckpointStore(path: string): CheckpointStore {
  return new FileCheckpointStore(path);
}
