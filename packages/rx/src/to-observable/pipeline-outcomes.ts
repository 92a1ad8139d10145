import {
  type CheckpointStore,
  type CycleReport,
  type Message,
  Pipeline,
  type PipelineOptions,
  type Sink,
} from "@pipekit/core";
import { DEFAULT_DEAD_LETTER_PATH, type DeadLetterRecord, wrapSink } from "@pipekit/core/advanced";
import { JsonlFileSink, MemoryCheckpointStore } from "@pipekit/core/builtins";
import { defer, type Observable, Subject } from "rxjs";

/** A message a sink durably accepted. */
export interface SinkDelivery {
  /** The sink's id in the pipeline. */
  readonly sink: string;
  readonly message: Message;
}

/** A source position made durable: every message up to it was acknowledged by every sink. */
export interface CommittedPosition {
  readonly key: string;
  /** The stored value; undefined when the key was deleted. */
  readonly position: unknown;
}

/** A pipeline whose outcomes are streams. */
export interface ObservedPipeline {
  readonly pipeline: Pipeline;
  /** Every message a sink accepted, as each batch write resolves (what acknowledgements are made of). */
  readonly delivered$: Observable<SinkDelivery>;
  /** Every dead letter, once the dead-letter sink stored it. */
  readonly deadLetters$: Observable<DeadLetterRecord>;
  /**
   * Each source position once committed: the acknowledgements of the source's messages, as the
   * engine turns them into progress (in order per key, coalesced by the commit policy).
   */
  readonly committed$: Observable<CommittedPosition>;
  /** Subscribing runs open → one cycle → close and emits the cycle's report. */
  run(): Observable<CycleReport>;
}

/**
 * Builds the pipeline with each sink and the dead-letter sink wrapped so that what they durably
 * accepted is also emitted: `delivered$` and `deadLetters$` are hot (subscribe before running) and
 * complete when the pipeline closes. The wrapping emits after the write resolved, so a subscriber
 * never sees a message the destination did not take.
 */
export function observePipeline(options: PipelineOptions): ObservedPipeline {
  const delivered = new Subject<SinkDelivery>();
  const deadLetters = new Subject<DeadLetterRecord>();
  let openSinks = options.sinks.length;
  const sinks = options.sinks.map((s) => ({
    ...s,
    sink: observed(
      s.sink,
      (message) => delivered.next({ sink: s.id, message }),
      () => {
        if (--openSinks === 0) delivered.complete();
      },
    ),
  }));
  const deadLetterSink =
    typeof options.deadLetter === "object"
      ? options.deadLetter
      : new JsonlFileSink({ path: options.deadLetter ?? DEFAULT_DEAD_LETTER_PATH });
  const committed = new Subject<CommittedPosition>();
  const pipeline = new Pipeline({
    ...options,
    checkpointStore: observedStore(options.checkpointStore ?? new MemoryCheckpointStore(), committed),
    sinks,
    deadLetter: observed(
      deadLetterSink,
      (message) => deadLetters.next(message.value as DeadLetterRecord),
      () => deadLetters.complete(),
    ),
  });
  return {
    pipeline,
    delivered$: delivered.asObservable(),
    deadLetters$: deadLetters.asObservable(),
    committed$: committed.asObservable(),
    run: () =>
      defer(async () => {
        try {
          await pipeline.open();
          return await pipeline.runCycle();
        } finally {
          await pipeline.close();
        }
      }),
  };
}

/** `sink` unchanged, except that each accepted message is also handed to `onAccepted`. */
function observed(sink: Sink, onAccepted: (message: Message) => void, onClosed: () => void): Sink {
  const wrapped = wrapSink(sink, async (batch, ctx, inner) => {
    const result = await inner.write(batch, ctx);
    const failed = new Set(result ? result.failed.map((f) => f.index) : []);
    batch.forEach((message, i) => {
      if (!failed.has(i)) onAccepted(message);
    });
    return result;
  });
  return {
    ...wrapped,
    async close() {
      try {
        await sink.close?.();
      } finally {
        onClosed();
      }
    },
  };
}

/** `store` unchanged, except that each durable write is also emitted; completes when it closes. */
function observedStore(store: CheckpointStore, committed: Subject<CommittedPosition>): CheckpointStore {
  const wrapper: CheckpointStore = {
    load: (key) => store.load(key),
    loadAll: () => store.loadAll(),
    async commit(key, position) {
      await store.commit(key, position);
      committed.next({ key, position });
    },
    async close() {
      try {
        await store.close?.();
      } finally {
        committed.complete();
      }
    },
  };
  if (store.commitMany) {
    const commitMany = store.commitMany.bind(store);
    wrapper.commitMany = async (entries) => {
      await commitMany(entries);
      for (const [key, position] of entries) committed.next({ key, position });
    };
  }
  return wrapper;
}
