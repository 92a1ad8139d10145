import type { MeterProvider } from "@opentelemetry/api";
import type { CheckpointStore, Logger, Sink, Source, Transform } from "@pipekit/core";
import { FileCheckpointStore, Pipeline } from "@pipekit/core";

/** What the runner needs from a cycle's report (a subset of core's CycleReport). */
export interface CycleSummary {
  readonly received: number;
  readonly receivedBytes: number;
  readonly sent: Readonly<Record<string, number>>;
  readonly deadLettered: number;
  readonly retries: number;
  readonly committed: readonly { readonly key: string; readonly position: unknown }[];
  readonly durationMs: number;
  readonly errors: readonly {
    readonly stage: string;
    readonly component: string;
    /** "exhausted" (retries ran out), "poison" (bad data), "retryable" (source errors), "transform". */
    readonly errorClass: string;
    readonly message: string;
    readonly count: number;
  }[];
  readonly stopped: boolean;
}

export interface DrainSummary {
  readonly drained: boolean;
  readonly abandonedMessages: number;
  readonly committed: readonly { readonly key: string; readonly position: unknown }[];
  readonly durationMs: number;
}

/** The engine the service drives: core's Pipeline satisfies this. */
export interface CycleEngine {
  open(): Promise<void>;
  runCycle(): Promise<CycleSummary>;
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
