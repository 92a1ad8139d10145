import type { Meter, MeterProvider, Tracer } from "@opentelemetry/api";
import type { CheckpointStore } from "../contracts/checkpoint.js";
import type { Logger } from "../contracts/context.js";
import type { Sink } from "../contracts/sink.js";
import type { Source } from "../contracts/source.js";
import type { Transform } from "../contracts/transform.js";
import type { CommitPolicy } from "../engine/checkpoint-committer.js";
import type { Budget } from "../engine/in-flight-budget.js";
import type { BatchPolicy } from "../engine/sink-runner.js";
import type { RetryPolicy } from "../retry/backoff.js";

export interface SinkOptions {
  /** Unique within the pipeline; used in metrics, reports and dead letters. */
  readonly id: string;
  readonly sink: Sink;
  readonly batch?: Partial<BatchPolicy>;
  readonly retry?: Partial<RetryPolicy>;
  /** Batch writes in flight at once for this sink (default 1). */
  readonly concurrency?: number;
}

export interface PipelineOptions {
  /** Names the pipeline in metrics, logs and dead letters (default "pipeline"). */
  readonly id?: string;
  readonly source: Source;
  /** Either bare transforms (ids "transforms[i]") or `{ id, transform }`. */
  readonly transforms?: readonly (Transform | { readonly id: string; readonly transform: Transform })[];
  readonly sinks: readonly SinkOptions[];
  /** A sink, or the path of a JSONL file (default "./dead-letters.jsonl", created on first use). */
  readonly deadLetter?: Sink | string;
  /** Default: in memory (positions are lost on restart). */
  readonly checkpointStore?: CheckpointStore;
  /** How often acknowledged positions are written (default: at most 1 s after they became committable). */
  readonly checkpoint?: Partial<CommitPolicy>;
  readonly budget?: Partial<Budget>;
  /** Messages inside asynchronous transforms at once (default 16). */
  readonly transformConcurrency?: number;
  /** Keep source order into the sinks when transforms are asynchronous (default true). */
  readonly ordered?: boolean;
  readonly logger?: Logger;
  readonly meter?: Meter;
  readonly meterProvider?: MeterProvider;
  readonly tracer?: Tracer;
  /** Randomness for retry jitter; tests pass a fixed function. */
  readonly random?: () => number;
}

/** One component of the running pipeline, with the id it is known by. */
export interface NamedTransform {
  readonly id: string;
  readonly transform: Transform;
}

export function namedTransforms(transforms: PipelineOptions["transforms"] = []): NamedTransform[] {
  return transforms.map((t, i) =>
    "transform" in t && typeof t.transform === "object" && "id" in t
      ? { id: t.id, transform: t.transform }
      : { id: `transforms[${i}]`, transform: t as Transform },
  );
}
