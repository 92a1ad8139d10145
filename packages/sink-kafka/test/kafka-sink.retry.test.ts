import { createMessage, RetryableError } from "@pipekit/core";
import {
  type Kafka,
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  type Message as KafkaMessage,
} from "kafkajs";
import { describe, expect, it } from "vitest";
import { KafkaSink, kafkaSinkConfigSchema, valueEncoder } from "../src/index.js";
import { fakeKafkaAdmin } from "./support/fake-kafka-admin.js";
import { openContext, testContext } from "./support/kafka-test-helpers.js";

/** An in-memory stand-in for the parts of kafkajs the sink uses; `failSend` decides per send. */
function fakeKafka(failSend: (sendNumber: number) => Error | undefined) {
  const sent: string[][] = [];
  const partitions: (number | undefined)[][] = [];
  let sends = 0;
  let producersCreated = 0;
  const kafka = {
    admin: () => fakeKafkaAdmin(4, 2048),
    producer: () => {
      producersCreated++;
      return {
        connect: async () => {},
        disconnect: async () => {},
        send: async ({ messages }: { messages: KafkaMessage[] }) => {
          partitions.push(messages.map((m) => m.partition));
          const error = failSend(++sends);
          if (error) throw error;
          sent.push(messages.map((m) => String(m.value)));
          return [];
        },
      };
    },
  };
  return { kafka: kafka as unknown as Kafka, sent, partitions, producers: () => producersCreated };
}

function sinkWith(kafka: Kafka): KafkaSink {
  // One lane: these tests follow one producer id's sequence numbers (lanes: kafka-sink.lanes.test.ts).
  const connection = kafkaSinkConfigSchema.parse({
    brokers: ["fake:9092"],
    topic: "t",
    compression: "none",
    produceLanes: 1,
  });
  return new KafkaSink({
    type: "kafka",
    connection,
    topic: "t",
    encode: valueEncoder({ key: "none" }),
    createClient: () => kafka,
  });
}

describe("KafkaSink retries (in-memory kafkajs fake)", () => {
  it("re-sends only what was not acknowledged when a batch spanning several sends is retried", async () => {
    const refused = new KafkaJSConnectionError("Connection error: connect ECONNREFUSED fake:9092");
    const fake = fakeKafka((n) => (n === 2 ? refused : undefined));
    const sink = sinkWith(fake.kafka);
    await sink.open(openContext());
    // 2048-byte batches: about three of these 600-byte records per send.
    const batch = Array.from({ length: 8 }, (_, i) => createMessage(`m${i}`, `${i}`.padEnd(600, ".")));

    const error = await sink.write(batch, testContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(fake.sent.flat()).toHaveLength(3);

    await sink.write(batch, testContext(undefined, 2));
    const all = fake.sent.flat();
    expect(all).toHaveLength(8);
    expect(new Set(all).size).toBe(8);
    expect(all).toEqual(batch.map((m) => m.value));
  });

  it("retries a failed send with the same producer and the same partitions, so the broker can drop a copy", async () => {
    const timeout = new KafkaJSConnectionError("Request Produce(key: 0, version: 7) timed out");
    const fake = fakeKafka((n) => (n === 1 ? timeout : undefined));
    const sink = sinkWith(fake.kafka);
    await sink.open(openContext());
    const batch = Array.from({ length: 3 }, (_, i) => createMessage(`id-${i}`, `v${i}`));
    await expect(sink.write(batch, testContext())).rejects.toBeInstanceOf(RetryableError);
    await sink.write(batch, testContext(undefined, 2));
    expect(fake.producers()).toBe(1);
    expect(fake.partitions[1]).toEqual(fake.partitions[0]);
    expect(fake.partitions[0]!.every((p) => p !== undefined && p >= 0 && p < 4)).toBe(true);
  });

  it("sends anything other than the failed records through a fresh producer id", async () => {
    const timeout = new KafkaJSConnectionError("Request Produce(key: 0, version: 7) timed out");
    const fake = fakeKafka((n) => (n === 1 ? timeout : undefined));
    const sink = sinkWith(fake.kafka);
    await sink.open(openContext());
    // The failed batch is given up on (e.g. dead-lettered); the next one must not reuse its sequence numbers.
    await expect(sink.write([createMessage("a", "A")], testContext())).rejects.toBeInstanceOf(RetryableError);
    await sink.write([createMessage("b", "B")], testContext());
    expect(fake.producers()).toBe(2);
    await sink.write([createMessage("c", "C")], testContext());
    expect(fake.producers()).toBe(2);
  });

  it("replaces the idempotent producer after the broker lost its state, then succeeds", async () => {
    const outOfOrder = new KafkaJSNonRetriableError("broker: out of order sequence");
    Object.assign(outOfOrder, { cause: { type: "OUT_OF_ORDER_SEQUENCE_NUMBER", message: "out of order" } });
    const fake = fakeKafka((n) => (n === 1 ? outOfOrder : undefined));
    const sink = sinkWith(fake.kafka);
    await sink.open(openContext());
    const batch = [createMessage("a", "A")];
    await expect(sink.write(batch, testContext())).rejects.toBeInstanceOf(RetryableError);
    expect(fake.producers()).toBe(1);
    await sink.write(batch, testContext(undefined, 2));
    expect(fake.producers()).toBe(2);
    expect(fake.sent).toEqual([["A"]]);
  });
});
