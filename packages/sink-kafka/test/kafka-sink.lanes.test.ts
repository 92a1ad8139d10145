import { createMessage, FatalError, type Message, RetryableError } from "@pipekit/core";
import { type Kafka, KafkaJSConnectionError, type Message as KafkaMessage } from "kafkajs";
import { describe, expect, it } from "vitest";
import { KafkaSink, kafkaSinkConfigSchema, valueEncoder } from "../src/index.js";
import { fakeKafkaAdmin } from "./support/fake-kafka-admin.js";
import { javaDefaultPartition } from "./support/java-default-partition.js";
import { openContext, testContext } from "./support/kafka-test-helpers.js";

interface Send {
  readonly producer: number;
  readonly values: string[];
  readonly partitions: number[];
  release(error?: Error): void;
}

/**
 * kafkajs stand-in whose sends wait until the test releases them, so the test sees which sends
 * are in flight at once and can fail one of them.
 */
function gatedKafka(partitionCount: number) {
  const inFlight: Send[] = [];
  const done: Send[] = [];
  let producers = 0;
  let waiter: (() => void) | undefined;
  const kafka = {
    admin: () => fakeKafkaAdmin(partitionCount),
    producer: () => {
      const producer = producers++;
      return {
        connect: async () => {},
        disconnect: async () => {},
        send: ({ messages }: { messages: KafkaMessage[] }) =>
          new Promise<unknown[]>((resolve, reject) => {
            const send: Send = {
              producer,
              values: messages.map((m) => String(m.value)),
              partitions: messages.map((m) => m.partition!),
              release: (error) => {
                inFlight.splice(inFlight.indexOf(send), 1);
                if (error) reject(error);
                else {
                  done.push(send);
                  resolve([]);
                }
              },
            };
            inFlight.push(send);
            waiter?.();
          }),
      };
    },
  };
  /** Resolves once `count` sends are waiting at the same time. */
  const untilInFlight = async (count: number) => {
    while (inFlight.length < count) await new Promise<void>((resolve) => (waiter = resolve));
  };
  return {
    kafka: kafka as unknown as Kafka,
    inFlight,
    done,
    untilInFlight,
    producers: () => producers,
    /** The waiting sends, lane 0 first. */
    byProducer: () => inFlight.slice().sort((a, b) => a.producer - b.producer),
    releaseAll: () => {
      for (const send of inFlight.slice()) send.release();
    },
    /** Every value the broker acknowledged, sorted. */
    deliveredValues: () => done.flatMap((s) => s.values).sort(),
  };
}

function sinkWith(kafka: Kafka, produceLanes?: number, key: "none" | "id" = "none"): KafkaSink {
  const connection = kafkaSinkConfigSchema.parse({
    brokers: ["fake:9092"],
    topic: "t",
    compression: "none",
    produceLanes,
  });
  return new KafkaSink({
    type: "kafka",
    connection,
    topic: "t",
    encode: valueEncoder({ key }),
    createClient: () => kafka,
  });
}

const batchOf = (count: number): Message[] =>
  Array.from({ length: count }, (_, i) => createMessage(`id-${i}`, `v${i}`));

describe("KafkaSink produce lanes (in-memory kafkajs fake)", () => {
  it("sends a batch's partitions through several producers at once, each owning partitions p mod lanes", async () => {
    const fake = gatedKafka(4);
    const sink = sinkWith(fake.kafka, 2);
    await sink.open(openContext());
    const written = sink.write(batchOf(40), testContext());
    await fake.untilInFlight(2);
    expect(new Set(fake.inFlight.map((s) => s.producer))).toEqual(new Set([0, 1]));
    for (const send of fake.inFlight) {
      expect(send.partitions.every((p) => p % 2 === send.producer)).toBe(true);
    }
    fake.releaseAll();
    await expect(written).resolves.toBeUndefined();
    expect(fake.deliveredValues()).toEqual(
      batchOf(40)
        .map((m) => String(m.value))
        .sort(),
    );
  });

  it("on a retry after one lane failed, sends only that lane's records again, through the same producer", async () => {
    const fake = gatedKafka(4);
    const sink = sinkWith(fake.kafka, 2);
    await sink.open(openContext());
    const batch = batchOf(40);
    const first = sink.write(batch, testContext());
    await fake.untilInFlight(2);
    const [ok, failing] = fake.byProducer();
    ok!.release();
    failing!.release(new KafkaJSConnectionError("Request Produce(key: 0, version: 7) timed out"));
    await expect(first).rejects.toBeInstanceOf(RetryableError);

    const retry = sink.write(batch, testContext(undefined, 2));
    await fake.untilInFlight(1);
    const again = fake.inFlight[0]!;
    // The same records under the same producer id: the broker can drop them if the first try landed.
    expect(again.producer).toBe(failing!.producer);
    expect(again.values).toEqual(failing!.values);
    expect(again.partitions).toEqual(failing!.partitions);
    again.release();
    await expect(retry).resolves.toBeUndefined();
    expect(fake.producers()).toBe(2);
    expect(fake.deliveredValues()).toEqual(batch.map((m) => String(m.value)).sort());
  });

  it("reports a fatal error of one lane over a retryable one of another", async () => {
    const fake = gatedKafka(2);
    const sink = sinkWith(fake.kafka, 2);
    await sink.open(openContext());
    const written = sink.write(batchOf(20), testContext());
    await fake.untilInFlight(2);
    const [first, second] = fake.byProducer();
    first!.release(new KafkaJSConnectionError("Connection error: connect ECONNREFUSED fake:9092"));
    second!.release(
      // As kafkajs names it (its typings do not admit the constructor's message argument).
      Object.assign(new Error("SASL PLAIN authentication failed"), {
        name: "KafkaJSSASLAuthenticationError",
      }),
    );
    await expect(written).rejects.toBeInstanceOf(FatalError);
  });

  it("uses at most one lane per partition", async () => {
    const fake = gatedKafka(1);
    const sink = sinkWith(fake.kafka, 8);
    await sink.open(openContext());
    const written = sink.write(batchOf(10), testContext());
    await fake.untilInFlight(1);
    fake.inFlight[0]!.release();
    await written;
    expect(fake.producers()).toBe(1);
  });

  it("puts a keyed record on the partition kafkajs's default partitioner picks (murmur2 of the key)", async () => {
    const fake = gatedKafka(5);
    const sink = sinkWith(fake.kafka, 3, "id");
    await sink.open(openContext());
    const batch = batchOf(30);
    const written = sink.write(batch, testContext());
    await fake.untilInFlight(3);
    fake.releaseAll();
    await written;
    const partitionOf = new Map(
      fake.done.flatMap((s) => s.values.map((value, i) => [value, s.partitions[i]!] as const)),
    );
    for (const m of batch) {
      // Kafka's Java client gives these keys these partitions (murmur2, positive, mod 5).
      expect(partitionOf.get(String(m.value))).toBe(javaDefaultPartition(m.id, 5));
    }
  });
});
