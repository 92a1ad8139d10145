import { type Meter, metrics, trace } from "@opentelemetry/api";
import {
  type CheckpointStore,
  type Logger,
  type Message,
  type Source,
  type SourceChunk,
  type SourceContext,
  silentLogger,
} from "@pipekit/core";
import { type Budget, defaultBudget } from "@pipekit/core/advanced";
import { MemoryCheckpointStore } from "@pipekit/core/builtins";
import { Observable } from "rxjs";
import { OrderedCommits } from "./ordered-commits.js";

/** One message of the source, and the subscriber's way to say it is done with it. */
export interface SourceDelivery<T> {
  readonly message: Message<T>;
  /**
   * The subscriber has finished with this message (idempotent). It frees demand for the next chunk
   * and, once every earlier message is acknowledged too, lets the source's checkpoint advance.
   */
  ack(): void;
}

export interface SourceObservableOptions {
  /**
   * Messages (and bytes) emitted and not yet committed: the next chunk is read only while both are
   * under their limit, so a slow subscriber holds the source at most budget + one chunk ahead.
   * Default: the engine's (10,000 messages, 64 MiB).
   */
  readonly budget?: Partial<Budget>;
  /**
   * Acknowledge each delivery as soon as the subscriber's `next` returns (for synchronous
   * subscribers). Default false: the subscriber calls `ack()`, e.g. when its async work is done.
   */
  readonly autoAck?: boolean;
  /** Where the source's checkpoints are committed (default: in memory, for this subscription). */
  readonly checkpointStore?: CheckpointStore;
  /** Rows the source read but could not turn into messages (default: a warning in `logger`). */
  readonly onRejected?: (message: Message<unknown>, error: Error) => void;
  readonly logger?: Logger;
  /** Where the source records its metrics (default: the global OpenTelemetry meter provider's). */
  readonly meter?: Meter;
  /** The component id handed to the source (default "source"). */
  readonly componentId?: string;
  /** Call `source.open()` on subscribe (default true). */
  readonly open?: boolean;
  /** Call `source.close()` when the subscription ends, however it ends (default true). */
  readonly close?: boolean;
}

/**
 * One pass of `source.read()` as an Observable of deliveries. Demand comes from the subscriber: a
 * chunk is read only while what was emitted and not yet committed is within the budget, so a
 * subscriber that acknowledges slowly slows the source down instead of filling memory. The
 * Observable completes when the pass ended and every delivery was acknowledged and committed; it
 * errors with the source's (or a commit's) error. Unsubscribing stops reading, ends the source's
 * iterator and closes the source.
 */
export function sourceObservable<T>(
  source: Source<T>,
  options: SourceObservableOptions = {},
): Observable<SourceDelivery<T>> {
  const budget = { ...defaultBudget, ...options.budget };
  const store = options.checkpointStore ?? new MemoryCheckpointStore();
  const logger = (options.logger ?? silentLogger).child({ component: options.componentId ?? "source" });
  return new Observable<SourceDelivery<T>>((subscriber) => {
    const abort = new AbortController();
    const ctx: SourceContext = {
      componentId: options.componentId ?? "source",
      logger,
      meter: options.meter ?? metrics.getMeter("@pipekit/rx"),
      tracer: trace.getTracer("@pipekit/rx"),
      signal: abort.signal,
      checkpoints: { get: (key) => store.load(key), all: () => store.loadAll() },
    };
    let wake: (() => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    abort.signal.addEventListener("abort", notify, { once: true });
    const commits = new OrderedCommits(store, notify);
    const until = async (condition: () => boolean): Promise<void> => {
      while (!condition() && !abort.signal.aborted) await new Promise<void>((r) => (wake = r));
    };
    const hasRoom = () => commits.messages < budget.maxMessages && commits.bytes < budget.maxBytes;
    const onRejected =
      options.onRejected ??
      ((message: Message<unknown>, error: Error) =>
        logger.warn({ id: message.id, err: error }, "source rejected a row"));

    let iterator: AsyncIterator<SourceChunk<T>> | undefined;
    let ended = false;
    const opening = (async () => {
      if (options.open !== false) await source.open?.(ctx);
      if (!abort.signal.aborted) iterator = source.read(ctx)[Symbol.asyncIterator]();
    })();

    const emit = (chunk: SourceChunk<T>): void => {
      for (const rejected of chunk.rejected ?? []) onRejected(rejected.message, rejected.error);
      const ack = commits.add(
        chunk,
        chunk.messages.map((m) => m.sizeBytes),
      );
      for (const [index, message] of chunk.messages.entries()) {
        if (subscriber.closed) return;
        const delivery: SourceDelivery<T> = { message, ack: () => ack?.(index) };
        subscriber.next(delivery);
        if (options.autoAck) delivery.ack();
      }
    };

    const run = async (): Promise<void> => {
      await opening;
      while (iterator && !abort.signal.aborted) {
        await until(() => hasRoom() || commits.error !== undefined);
        if (commits.error) throw commits.error.error;
        if (abort.signal.aborted) return;
        let next: IteratorResult<SourceChunk<T>>;
        try {
          next = await iterator.next();
        } catch (error) {
          ended = true; // a generator that threw is finished
          throw error;
        }
        if (next.done) {
          ended = true;
          break;
        }
        if (abort.signal.aborted) return; // read but not emitted: never acknowledged, read again later
        emit(next.value);
      }
      await until(() => commits.pendingChunks === 0 || commits.error !== undefined);
      await commits.settled();
      if (commits.error) throw commits.error.error;
      if (!abort.signal.aborted) subscriber.complete();
    };
    run().catch((error: unknown) => {
      if (!abort.signal.aborted) subscriber.error(error);
    });

    return () => {
      abort.abort();
      void (async () => {
        await opening.catch(() => {});
        if (!ended && iterator?.return) {
          await iterator.return(undefined).catch((error: unknown) => {
            logger.warn({ err: error }, "source failed while being stopped");
          });
        }
        if (options.close !== false) {
          await source.close?.()?.catch((error: unknown) => {
            logger.warn({ err: error }, "source failed to close");
          });
        }
      })();
    };
  });
}
