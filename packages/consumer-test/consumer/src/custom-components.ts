// A Source, a Transform and a Sink written against the installed @pipekit/core, run by its engine.
// Prints one JSON line the consumer test asserts on.
import {
  createMessage,
  deriveMessage,
  type Message,
  PoisonError,
  runPipeline,
  type Sink,
  type Source,
  type SourceChunk,
  silentLogger,
  type Transform,
} from "@pipekit/core";
import { MemoryCheckpointStore, MemorySink } from "@pipekit/core/builtins";

interface Reading {
  readonly sensor: string;
  readonly celsius: number;
}

/** Readings in chunks of three, each chunk checkpointing the offset after it. */
class ReadingsSource implements Source<Reading> {
  readonly type = "readings";
  constructor(private readonly readings: readonly Reading[]) {}

  async *read(): AsyncIterable<SourceChunk<Reading>> {
    for (let offset = 0; offset < this.readings.length; offset += 3) {
      const slice = this.readings.slice(offset, offset + 3);
      yield {
        messages: slice.map((r, i) => createMessage(`reading-${offset + i}`, r)),
        checkpoint: { key: "readings", position: offset + slice.length },
      };
    }
  }
}

/** Celsius → Fahrenheit; a reading below absolute zero is bad data (dead-lettered, not retried). */
const toFahrenheit: Transform<Reading, Reading & { fahrenheit: number }> = {
  type: "to_fahrenheit",
  transform(message: Message<Reading>) {
    if (message.value.celsius < -273.15) throw new PoisonError(`impossible reading ${message.value.celsius}`);
    return deriveMessage(message, { ...message.value, fahrenheit: message.value.celsius * 1.8 + 32 });
  },
};

/** Collects what it was given, batch by batch. */
class CollectingSink implements Sink<Reading & { fahrenheit: number }> {
  readonly type = "collecting";
  readonly batches: number[] = [];
  readonly values: (Reading & { fahrenheit: number })[] = [];

  async write(batch: readonly Message<Reading & { fahrenheit: number }>[]): Promise<void> {
    this.batches.push(batch.length);
    for (const message of batch) this.values.push(message.value);
  }
}

const readings: Reading[] = [
  { sensor: "a", celsius: 20 },
  { sensor: "b", celsius: 100 },
  { sensor: "c", celsius: -300 },
  { sensor: "d", celsius: 0 },
  { sensor: "e", celsius: 37 },
];
const sink = new CollectingSink();
const deadLetters = new MemorySink();
const checkpoints = new MemoryCheckpointStore();
const report = await runPipeline({
  source: new ReadingsSource(readings),
  transforms: [toFahrenheit],
  sinks: [{ id: "collected", sink, batch: { maxCount: 2, lingerMs: 10 } }],
  deadLetter: deadLetters,
  checkpointStore: checkpoints,
  logger: silentLogger,
});

console.log(
  JSON.stringify({
    sent: report.sent,
    deadLettered: report.deadLettered,
    deadLetterIds: deadLetters.messages.map((m) => m.id),
    fahrenheit: sink.values.map((v) => v.fahrenheit),
    largestBatch: Math.max(...sink.batches),
    checkpoint: await checkpoints.load("readings"),
  }),
);
