import { type KafkaBroker, startKafkaBroker } from "@pipekit/testkit-kafka";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AKTO_TRAFFIC_TOPIC,
  type AktoIngestionEmulator,
  sampleAktoRecord,
  startAktoIngestionEmulator,
} from "../src/index.js";

// A real single-node broker for this file only: the other emulator tests do not need one.
let broker: KafkaBroker;
let akto: AktoIngestionEmulator;

beforeAll(async () => {
  broker = await startKafkaBroker();
  await broker.createTopics([AKTO_TRAFFIC_TOPIC]);
  akto = await startAktoIngestionEmulator({ kafka: { brokers: [broker.bootstrap] } });
});
afterAll(async () => {
  await akto?.close();
  await broker?.stop();
});

/** Read `n` messages from the start of the topic, polling until they are there or the deadline passes. */
async function consume(n: number, timeoutMs = 30_000) {
  const kafka = new Kafka({
    brokers: [broker.bootstrap],
    clientId: "emulator-test",
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `emulator-test-${Date.now()}` });
  const seen: Array<{ key: Buffer | null; value: string }> = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: AKTO_TRAFFIC_TOPIC, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${seen.length} of ${n} messages after ${timeoutMs} ms`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push({ key: message.key, value: message.value?.toString("utf8") ?? "" });
          if (seen.length >= n) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

describe("Akto ingestion emulator: Kafka forwarding", () => {
  it("forwards each accepted record, in order, as one keyless message without publishToGuardrails", async () => {
    const first = [0, 1, 2].map((i) => sampleAktoRecord(i, { overrides: { publishToGuardrails: true } }));
    const res1 = await fetch(`${akto.url}/api/ingestData`, {
      method: "POST",
      body: JSON.stringify({ batchData: first }),
    });
    expect(res1.status).toBe(200);
    // A 422 batch: like Akto, the record before the bad one is already forwarded, the rest is not.
    const second = [
      sampleAktoRecord(3),
      sampleAktoRecord(4, { overrides: { method: "FETCH" } }),
      sampleAktoRecord(5),
    ];
    const res2 = await fetch(`${akto.url}/api/ingestData`, {
      method: "POST",
      body: JSON.stringify({ batchData: second }),
    });
    expect(res2.status).toBe(422);

    const messages = await consume(4);
    expect(messages.map((m) => m.key)).toEqual([null, null, null, null]);
    const expected = [...first, second[0]!].map(({ publishToGuardrails: _, ...rest }) => rest);
    expect(messages.map((m) => JSON.parse(m.value))).toEqual(expected);
    expect(messages.every((m) => !m.value.includes("publishToGuardrails"))).toBe(true);
    expect(akto.records).toHaveLength(4);
  });
});
