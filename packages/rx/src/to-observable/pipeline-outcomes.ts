import { type CycleReport, type Message, Pipeline, type PipelineOptions, type Sink } from "@pipekit/core";
import { DEFAULT_DEAD_LETTER_PATH, type DeadLetterRecord } from "@pipekit/core/advanced";
import { JsonlFileSink } from "@pipekit/core/builtins";
import { defer, type Observable, Subject } from "rxjs";

/** A message a sink durably accepted. */
export interface SinkDelivery {
  /** The sink's id in the pipeline. */
  readonly sink: string;
  readonly message: Message;
}

/** A pipeline whose outcomes are streams. */
export interface ObservedPipeline {
  readonly pipeline: Pipeline;
  /** Every message a sink accepted, as each batch write resolves (what acknowledgements are made of). */
  readonly delivered$: Observable<SinkDelivery>;
  /** Every dead letter, once the dead-letter sink stored it. */
  readonly deadLetters$: Observable<DeadLetterRecord>;
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
  const pipeline = new Pipeline({
    ...options,
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
  const wrapper: Sink = {
    type: sink.type,
    async write(batch, ctx) {
      const result = await sink.write(batch, ctx);
      const failed = new Set(result ? result.failed.map((f) => f.index) : []);
      batch.forEach((message, i) => {
        if (!failed.has(i)) onAccepted(message);
      });
      return result;
    },
    async close() {
      try {
        await sink.close?.();
      } finally {
        onClosed();
      }
    },
  };
  if (sink.open) wrapper.open = (ctx) => sink.open!(ctx);
  if (sink.classifyError) wrapper.classifyError = (error) => sink.classifyError!(error);
  if (sink.health) wrapper.health = () => sink.health!();
  return wrapper;
}
