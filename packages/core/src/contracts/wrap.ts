import type { ComponentContext } from "./context.js";
import type { Message } from "./message.js";
import type { PartialFailure, Sink, WriteContext } from "./sink.js";
import type { Source, SourceChunk, SourceContext } from "./source.js";

/**
 * A source that behaves like `inner` except for `read`: every optional member the inner source has
 * (open, health, cycleSummary, close) is forwarded, so a wrapper (progress counting, cluster
 * assignment, tracing) cannot drop one by forgetting it. Members are bound, so class-based sources
 * whose methods live on the prototype are forwarded too.
 */
export function wrapSource<T>(
  inner: Source<T>,
  read: (ctx: SourceContext, inner: Source<T>) => AsyncIterable<SourceChunk<T>>,
): Source<T> {
  const wrapped: { -readonly [K in keyof Source<T>]: Source<T>[K] } = {
    type: inner.type,
    read: (ctx) => read(ctx, inner),
  };
  if (inner.open) wrapped.open = (ctx) => inner.open!(ctx);
  if (inner.health) wrapped.health = () => inner.health!();
  if (inner.cycleSummary) wrapped.cycleSummary = () => inner.cycleSummary!();
  if (inner.close) wrapped.close = () => inner.close!();
  return wrapped;
}

type WriteResult = void | { readonly failed: readonly PartialFailure[] };

/** A sink that behaves like `inner` except for `write` (open, health, classifyError, close forwarded). */
export function wrapSink<T>(
  inner: Sink<T>,
  write: (batch: readonly Message<T>[], ctx: WriteContext, inner: Sink<T>) => Promise<WriteResult>,
): Sink<T> {
  const wrapped: { -readonly [K in keyof Sink<T>]: Sink<T>[K] } = {
    type: inner.type,
    write: (batch, ctx) => write(batch, ctx, inner),
  };
  if (inner.open) wrapped.open = (ctx: ComponentContext) => inner.open!(ctx);
  if (inner.health) wrapped.health = () => inner.health!();
  if (inner.classifyError) wrapped.classifyError = (error) => inner.classifyError!(error);
  if (inner.close) wrapped.close = () => inner.close!();
  return wrapped;
}
