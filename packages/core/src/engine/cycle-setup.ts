import type { Tracer } from "@opentelemetry/api";
import type { CheckpointStore } from "../contracts/checkpoint.js";
import type { ComponentContext, Logger } from "../contracts/context.js";
import type { Sink } from "../contracts/sink.js";
import type { Source } from "../contracts/source.js";
import type { Transform } from "../contracts/transform.js";
import type { RetryPolicy } from "../retry/backoff.js";
import type { CycleMetrics } from "../telemetry/cycle-metrics.js";
import type { ComponentAttributes, PipelineMetrics } from "../telemetry/pipeline-metrics.js";
import type { CommitPolicy } from "./checkpoint-committer.js";
import type { Budget } from "./in-flight-budget.js";
import type { BatchPolicy } from "./sink-runner.js";

/** Everything a cycle needs, prepared once by the Pipeline. */
export interface CycleSetup {
  readonly pipelineId: string;
  readonly source: { readonly id: string; readonly source: Source; readonly attrs: ComponentAttributes };
  readonly transforms: readonly {
    readonly id: string;
    readonly transform: Transform;
    readonly attrs: ComponentAttributes;
  }[];
  readonly sinks: readonly {
    readonly id: string;
    readonly sink: Sink;
    readonly attrs: ComponentAttributes;
    readonly batch: BatchPolicy;
    readonly retry: RetryPolicy;
    readonly concurrency: number;
  }[];
  readonly deadLetter: { readonly id: string; readonly sink: Sink };
  readonly checkpointStore: CheckpointStore;
  readonly commitPolicy: CommitPolicy;
  readonly budget: Budget;
  readonly transformConcurrency: number;
  readonly ordered: boolean;
  readonly logger: Logger;
  readonly tracer: Tracer;
  readonly metrics: PipelineMetrics;
  readonly cycleMetrics: CycleMetrics;
  readonly random: () => number;
  /** Base context (meter, tracer, logger) for a component, given this cycle's abort signal. */
  readonly contextFor: (componentId: string, signal: AbortSignal) => ComponentContext;
}

/** Per-cycle limits the runner sets (a one-shot run's deadline). */
export interface CycleOptions {
  /**
   * Epoch ms at which the cycle stops reading and drains as `stop(drainTimeoutMs)` does: what was
   * read is delivered if it can be, what cannot is left unacknowledged for the next cycle.
   */
  readonly deadline?: number;
  /** How long the drain after the deadline may take before in-flight work is abandoned (default 30 s). */
  readonly drainTimeoutMs?: number;
}
