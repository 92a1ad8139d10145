import {
  createMessage,
  type MessageMeta,
  type Source,
  type SourceChunk,
  type SourceContext,
} from "@pipekit/core";
import { estimateSize } from "@pipekit/core/advanced";
import { from, type Observable, type ObservableInput, Subject } from "rxjs";
import { OverflowBuffer, type OverflowPolicy } from "./overflow-buffer.js";

export interface FromObservableOptions<T> {
  /** The source's type name in metrics and logs (default "observable"). */
  readonly type?: string;
  /** Values asked for on each pull, and the most one chunk carries (default 100). */
  readonly chunkSize?: number;
  /**
   * Bytes of values the Observable may push ahead of the pipeline (default 8 MiB). A pulled
   * Observable stays within one chunk; a hot one meets this bound and then `overflow`.
   */
  readonly maxBufferBytes?: number;
  /** Over `maxBufferBytes`: fail the read (`error`, the default) or drop new values, counted (`drop`). */
  readonly overflow?: OverflowPolicy;
  /** A pull hands out what it has this long after its first value, even short of a chunk (default 20 ms). */
  readonly lingerMs?: number;
  /** Message id of a value (default `<type>-<n>`, n counting from 0 in each pass). */
  readonly id?: (value: T, n: number) => string;
  /** Bytes of a value for budgets and the buffer bound (default: its JSON length). */
  readonly sizeOf?: (value: T) => number;
  readonly meta?: MessageMeta;
}

/** Builds the Observable of one pass; `demand` emits how many values the engine wants next. */
export type ObservableFactory<T> = (demand: Observable<number>, ctx: SourceContext) => ObservableInput<T>;

/** A Source whose pass is one subscription; the values dropped under `overflow: "drop"` are counted. */
export interface ObservableSource<T> extends Source<T> {
  readonly dropped: number;
}

/**
 * A Source over an Observable that is pulled: each `read()` subscribes to `factory(demand, ctx)`,
 * and every time the engine asks for a chunk (only when its in-flight budget has room) `demand`
 * emits `chunkSize`. An Observable built from `demand` (e.g. `demand.pipe(concatMap(n =>
 * fetchPage(n)))`) therefore produces only what the engine can take. A hot Observable that ignores
 * `demand` is held in a buffer of at most `maxBufferBytes`, then `overflow` decides: the read fails
 * with an ObservableOverflowError, or new values are dropped and counted in
 * `component_discarded_events_total`. The pass ends when the Observable completes and fails with its
 * error, so a paged Observable must complete when it runs out (e.g. `takeWhile` on an empty page): a
 * pull whose demand brought nothing keeps waiting, as it should for a stream that may emit later.
 * The subscription ends when the engine stops reading. Chunks carry no checkpoint: an
 * Observable has no position to resume from.
 */
export function fromObservable<T>(
  factory: ObservableFactory<T>,
  options: FromObservableOptions<T> = {},
): ObservableSource<T> {
  const type = options.type ?? "observable";
  const chunkSize = positive("chunkSize", options.chunkSize ?? 100);
  const maxBufferBytes = positive("maxBufferBytes", options.maxBufferBytes ?? 8 * 2 ** 20);
  const lingerMs = options.lingerMs ?? 20;
  const sizeOf = options.sizeOf ?? estimateSize;
  const idOf = options.id ?? ((_: T, n: number) => `${type}-${n}`);
  let dropped = 0;

  async function* read(ctx: SourceContext): AsyncGenerator<SourceChunk<T>, void, undefined> {
    const discarded = ctx.meter.createCounter("component_discarded_events_total", {
      description: "Values a hot Observable pushed beyond the source's buffer bound (overflow: drop)",
    });
    const attributes = { component_id: ctx.componentId, component_type: type, reason: "overflow" };
    const buffer = new OverflowBuffer<T>(maxBufferBytes, options.overflow ?? "error", () => {
      dropped++;
      discarded.add(1, attributes);
    });
    const demand = new Subject<number>();
    const subscription = from(factory(demand.asObservable(), ctx)).subscribe({
      next: (value) => buffer.push(value, sizeOf(value)),
      error: (error: unknown) => buffer.fail(error),
      complete: () => buffer.end(),
    });
    let n = 0;
    try {
      while (!ctx.signal.aborted) {
        // Ask only for what this pull will hand out: the buffer already holds what was pushed ahead.
        if (buffer.length === 0 && !buffer.done) demand.next(chunkSize);
        await buffer.waitFor(chunkSize, lingerMs, ctx.signal);
        const taken = buffer.take(chunkSize);
        if (taken.length > 0) {
          yield {
            messages: taken.map((t) => createMessage(idOf(t.value, n++), t.value, options.meta, t.bytes)),
          };
          continue;
        }
        const failure = buffer.error;
        if (failure) throw failure.error;
        if (buffer.done) return;
      }
    } finally {
      subscription.unsubscribe();
      demand.complete();
    }
  }

  return {
    type,
    read,
    get dropped() {
      return dropped;
    },
  };
}

function positive(name: string, value: number): number {
  if (!(value > 0)) throw new RangeError(`fromObservable: ${name} must be positive, got ${value}`);
  return value;
}
