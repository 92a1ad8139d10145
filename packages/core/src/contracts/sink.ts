import type { ComponentContext, HealthStatus } from "./context.js";
import type { Message } from "./message.js";

export interface WriteContext extends ComponentContext {
  /** 1 on the first try of this batch. */
  readonly attempt: number;
  /**
   * W3C trace context of this batch write (`traceparent`, maybe `tracestate`) when it is traced:
   * a sink puts these on what it sends (Kafka record headers, HTTP headers) so a downstream
   * consumer can join the trace. Absent when tracing is off.
   */
  readonly traceHeaders?: Readonly<Record<string, string>>;
}

/** Per-message outcome a sink may report when the destination accepted only part of a batch. */
export interface PartialFailure {
  /** Index into the batch that was written. */
  readonly index: number;
  readonly error: Error;
}

/**
 * Writes batches. `write` resolves only once the destination has durably accepted the batch.
 * Errors are classified with the classes in `errors/` (RetryableError, PoisonError, FatalError);
 * any other error is treated as retryable unless `classifyError` says otherwise.
 * A PoisonError on a batch of several messages makes the engine split the batch to find the bad one(s).
 * Returning `{ failed }` dead-letters exactly those messages (poison) and acknowledges the rest.
 */
export interface Sink<T = unknown> {
  readonly type: string;
  open?(ctx: ComponentContext): Promise<void>;
  write(
    batch: readonly Message<T>[],
    ctx: WriteContext,
  ): Promise<void | { readonly failed: readonly PartialFailure[] }>;
  classifyError?(error: unknown): "retryable" | "poison" | "fatal" | undefined;
  health?(): Promise<HealthStatus>;
  close?(): Promise<void>;
}
