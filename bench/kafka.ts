/**
 * Kafka sink throughput against a real single-node broker (started here via @pipekit/testkit-kafka,
 * stopped at the end), compared with a raw kafkajs producer sending the same records in batches of
 * the same size in the same run: { kafkaSinkRecordsPerSec, rawKafkajsRecordsPerSec,
 * kafkaSinkVsRawKafkajs }. 100,000 records of 1 KiB (JSON objects, serialised by both sides), batches
 * of 500 (the engine's default), one send at a time, both idempotent with acks=all and gzip. The
 * rounds alternate which side goes first; each side's best round counts.
 */
import { createMessage, type Message, type WriteContext } from "@pipekit/core";
import { createKafkaSink } from "@pipekit/sink-kafka";
import { startKafkaBroker } from "@pipekit/testkit-kafka";
import { CompressionTypes, Kafka, logLevel, Partitioners } from "kafkajs";

const RECORDS = 100_000;
const RECORD_BYTES = 1024;
const BATCH = 500;
const ROUNDS = 3;
const PARTITIONS = 3;

const noop = () => {};
const logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => logger };
const writeCtx: WriteContext = {
  componentId: "bench.kafka",
  logger,
  meter: {} as WriteContext["meter"],
  tracer: {} as WriteContext["tracer"],
  signal: new AbortController().signal,
  attempt: 1,
};

/** A JSON object whose serialised form is exactly RECORD_BYTES long, varied per record. */
function record(i: number): Record<string, unknown> {
  const base = { id: `req-${i}`, path: `/api/agents/${i % 97}/invocations`, method: "POST", statusCode: 200 };
  const fill = RECORD_BYTES - JSON.stringify({ ...base, payload: "" }).length;
  const unit = `${i}-`;
  const payload = unit.repeat(Math.ceil(fill / unit.length)).slice(0, fill);
  return { ...base, payload };
}

async function timed(batches: readonly Message[][], send: (batch: readonly Message[]) => Promise<void>) {
  const started = performance.now();
  for (const batch of batches) await send(batch);
  const seconds = (performance.now() - started) / 1000;
  return batches.reduce((n, b) => n + b.length, 0) / seconds;
}

export async function run(): Promise<Record<string, number>> {
  const broker = await startKafkaBroker({ heapMb: 1024 });
  try {
    await broker.createTopics([
      { topic: "bench.sink", numPartitions: PARTITIONS },
      { topic: "bench.raw", numPartitions: PARTITIONS },
    ]);
    const messages = Array.from({ length: RECORDS }, (_, i) => createMessage(`req-${i}`, record(i)));
    for (const m of [messages[0]!, messages[RECORDS - 1]!]) {
      if (JSON.stringify(m.value).length !== RECORD_BYTES) throw new Error("bench record size is off");
    }
    const batches: Message[][] = [];
    for (let i = 0; i < messages.length; i += BATCH) batches.push(messages.slice(i, i + BATCH));

    const sink = createKafkaSink({ brokers: broker.brokers, topic: "bench.sink", compression: "gzip" });
    await sink.open(writeCtx);
    const kafka = new Kafka({ clientId: "bench-raw", brokers: broker.brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 3 },
    });
    await producer.connect();

    const sinkSend = async (batch: readonly Message[]) => {
      await sink.write(batch, writeCtx);
    };
    const rawSend = async (batch: readonly Message[]) => {
      await producer.send({
        topic: "bench.raw",
        acks: -1,
        compression: CompressionTypes.GZIP,
        messages: batch.map((m) => ({ value: JSON.stringify(m.value) })),
      });
    };

    // Warm-up: JIT, connections, topic metadata. The sink remembers acknowledged messages, so it
    // warms up on copies (fresh message objects) rather than on the measured ones.
    const warm = batches.slice(0, 10);
    await timed(
      warm.map((b) => b.map((m) => createMessage(m.id, m.value))),
      sinkSend,
    );
    await timed(warm, rawSend);

    let sinkBest = 0;
    let rawBest = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // Fresh message objects each round: a sink write of an already-acknowledged message is a no-op.
      const sinkBatches = batches.map((b) => b.map((m) => createMessage(m.id, m.value)));
      globalThis.gc?.();
      if (round % 2 === 0) {
        rawBest = Math.max(rawBest, await timed(batches, rawSend));
        globalThis.gc?.();
        sinkBest = Math.max(sinkBest, await timed(sinkBatches, sinkSend));
      } else {
        sinkBest = Math.max(sinkBest, await timed(sinkBatches, sinkSend));
        globalThis.gc?.();
        rawBest = Math.max(rawBest, await timed(batches, rawSend));
      }
    }
    await sink.close();
    await producer.disconnect();

    return {
      kafkaSinkRecordsPerSec: Math.round(sinkBest),
      rawKafkajsRecordsPerSec: Math.round(rawBest),
      kafkaSinkVsRawKafkajs: Number((sinkBest / rawBest).toFixed(3)),
    };
  } finally {
    await broker.stop();
  }
}
