import {
  createMessage,
  type Message,
  Pipeline,
  type Source,
  type SourceChunk,
  silentLogger,
} from "@pipekit/core";
import { createKafkaTopics } from "@pipekit/testkit-kafka";
import { describe, expect, inject, it } from "vitest";
import { createKafkaDeadLetterSink, createKafkaSink } from "../src/index.js";
import { consumeAll, expectedBytes, mixedMessages, uniqueTopic } from "./support/kafka-test-helpers.js";

const bootstrap = inject("kafkaBootstrap");

/** Hands the engine fixed chunks, one per `next()`, as a real source would. */
function arraySource(messages: readonly Message[], chunkSize: number): Source {
  return {
    type: "array",
    async *read(): AsyncIterable<SourceChunk> {
      for (let i = 0; i < messages.length; i += chunkSize) {
        yield {
          messages: messages.slice(i, i + chunkSize),
          checkpoint: { key: "array", position: i + chunkSize },
        };
      }
    },
  };
}

describe("KafkaSink in the core Pipeline", () => {
  it("delivers every record once and dead-letters only the record the topic cannot hold", async () => {
    const topic = uniqueTopic("pipeline");
    const deadLetterTopic = uniqueTopic("pipeline.dlq");
    await createKafkaTopics(bootstrap, [
      { topic, numPartitions: 3, configEntries: [{ name: "max.message.bytes", value: "8192" }] },
      deadLetterTopic,
    ]);
    const messages = mixedMessages("p", 3_000);
    const tooLarge = createMessage("too-large", "y".repeat(50_000));
    messages.splice(1_234, 0, tooLarge);

    const pipeline = new Pipeline({
      id: "kafka-test",
      source: arraySource(messages, 200),
      sinks: [
        {
          id: "kafka",
          sink: createKafkaSink({ brokers: [bootstrap], topic, compression: "none" }),
          batch: { maxCount: 250, lingerMs: 20 },
          retry: { maxAttempts: 3 },
        },
      ],
      deadLetter: createKafkaDeadLetterSink({
        brokers: [bootstrap],
        topic: deadLetterTopic,
        compression: "gzip",
      }),
      logger: silentLogger,
    });
    await pipeline.open();
    let report: Awaited<ReturnType<Pipeline["runCycle"]>>;
    try {
      report = await pipeline.runCycle();
    } finally {
      await pipeline.close();
    }
    expect(report.received).toBe(messages.length);
    expect(report.deadLettered).toBe(1);
    expect(report.sent.kafka).toBe(messages.length - 1);

    const consumed = await consumeAll(bootstrap, topic);
    const good = messages.filter((m) => m !== tooLarge);
    expect(consumed).toHaveLength(good.length);
    expect(consumed.map((r) => r.value!.toString("base64")).sort()).toEqual(
      good.map((m) => expectedBytes(m.value).toString("base64")).sort(),
    );

    const [dead, ...more] = await consumeAll(bootstrap, deadLetterTopic);
    expect(more).toEqual([]);
    expect(dead?.key?.toString()).toBe("too-large");
    expect(dead?.value?.equals(Buffer.from(tooLarge.value))).toBe(true);
    expect(dead?.headers["pipekit-error-class"]?.toString()).toBe("poison");
    expect(dead?.headers["pipekit-component"]?.toString()).toBe("kafka");
    expect(dead?.headers["pipekit-error-message"]?.toString()).toMatch(
      /MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE/,
    );
  });
});
