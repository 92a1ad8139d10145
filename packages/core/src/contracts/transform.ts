import type { ComponentContext } from "./context.js";
import type { Message } from "./message.js";

/** Zero (filtered out), one, or many messages. */
export type TransformResult<O> = Message<O> | readonly Message<O>[] | null | undefined;

/**
 * Message → zero, one or many messages. Throwing sends THAT message to the dead-letter path with
 * the error; the pipeline goes on. Outputs inherit the input's acknowledgement: the input counts as
 * delivered once all of its outputs are (and at once when there are none).
 */
export interface Transform<I = unknown, O = unknown> {
  readonly type: string;
  /**
   * Messages this transform wants in flight at once when it is asynchronous (a pool of worker
   * threads needs enough to keep each busy); the engine allows at least this many.
   */
  readonly concurrency?: number;
  open?(ctx: ComponentContext): Promise<void>;
  transform(message: Message<I>, ctx: ComponentContext): TransformResult<O> | Promise<TransformResult<O>>;
  close?(): Promise<void>;
}

/** True for a transform's asynchronous result (a promise or any thenable). */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}
