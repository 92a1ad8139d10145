import { createMessage, PoisonError } from "@pipekit/core";
import { createKafkaTopics } from "@pipekit/testkit-kafka";
import { afterEach, describe, expect, inject, it } from "vitest";
import { createKafkaDeadLetterSink, createKafkaSink, type KafkaSink } from "../src/index.js";
import {
  consumeAll,
  expectedBytes,
  mixedMessages,
  openContext,
  recordingLogger,
  testContext,
  uniqueTopic,
} from "./support/kafka-test-helpers.js";

const bootstrap = inject("kafkaBootstrap");
const sinks: KafkaSink[] = [];

function track(sink: KafkaSink): KafkaSink {
  sinks.push(sink);
  return sink;
}

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});

describe("KafkaSink against a real broker", () => {
  it.each(["gzip", "snappy", "none"] as const)(
    "writes every record exactly once, byte-identical (compression %s)",
    async (compression) => {
      const topic = uniqueTopic("roundtrip");
      await createKafkaTopics(bootstrap, [{ topic, numPartitions: 3 }]);
      const sink = track(createKafkaSink({ brokers: [bootstrap], topic, compression }));
      await sink.open(openContext());

      const messages = mixedMessages(compression, 1_500);
      for (let i = 0; i < messages.length; i += 250) {
        const result = await sink.write(messages.slice(i, i + 250), testContext());
        expect(result).toBeUndefined();
      }

      const consumed = await consumeAll(bootstrap, topic);
      expect(consumed).toHaveLength(messages.length);
      // No key by default (as Akto's producer): records spread over the partitions.
      expect(consumed.every((r) => r.key === null)).toBe(true);
      expect(new Set(consumed.map((r) => r.partition)).size).toBe(3);
      const actual = consumed.map((r) => r.value!.toString("base64")).sort();
      const expected = messages.map((m) => expectedBytes(m.value).toString("base64")).sort();
      expect(actual).toEqual(expected);
    },
  );

  it("uses the message id as key when configured", async () => {
    const topic = uniqueTopic("keyed");
    await createKafkaTopics(bootstrap, [{ topic, numPartitions: 2 }]);
    const sink = track(createKafkaSink({ brokers: [bootstrap], topic, key: "id" }));
    const messages = mixedMessages("k", 20);
    await sink.write(messages, testContext());
    const consumed = await consumeAll(bootstrap, topic);
    const byKey = new Map(consumed.map((r) => [r.key!.toString(), r.value!]));
    expect([...byKey.keys()].sort()).toEqual(messages.map((m) => m.id).sort());
    for (const m of messages) expect(byKey.get(m.id)!.equals(expectedBytes(m.value))).toBe(true);
  });

  it("reports a record the topic cannot hold as poison, and still writes the batch's good records", async () => {
    const topic = uniqueTopic("small");
    await createKafkaTopics(bootstrap, [
      { topic, configEntries: [{ name: "max.message.bytes", value: "4096" }] },
    ]);
    const sink = track(createKafkaSink({ brokers: [bootstrap], topic, compression: "none" }));
    const huge = createMessage("huge", "x".repeat(20_000));
    await expect(sink.write([huge], testContext())).rejects.toBeInstanceOf(PoisonError);
    await expect(sink.write([huge], testContext())).rejects.toThrow(
      /MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE/,
    );

    // Values that cannot be encoded never reach Kafka: only they are reported, the rest is written.
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const result = await sink.write(
      [createMessage("a", "ok-a"), createMessage("bad", circular), createMessage("b", "ok-b")],
      testContext(),
    );
    expect(result?.failed.map((f) => f.index)).toEqual([1]);
    expect(result?.failed[0]?.error).toBeInstanceOf(PoisonError);
    expect(result?.failed[0]?.error.message).toContain("'bad'");
    const consumed = await consumeAll(bootstrap, topic);
    expect(consumed.map((r) => r.value!.toString()).sort()).toEqual(["ok-a", "ok-b"]);
  });

  it("writes dead letters with the original value and the error in headers", async () => {
    const topic = uniqueTopic("dlq");
    await createKafkaTopics(bootstrap, [topic]);
    const sink = track(createKafkaDeadLetterSink({ brokers: [bootstrap], topic }));
    const original = { path: "/chat", body: "hi" };
    await sink.write(
      [
        createMessage("req-1", {
          time: "2025-01-01T00:00:00.000Z",
          pipeline: "demo",
          stage: "sink",
          component: "sinks.akto",
          attempts: 3,
          error: { name: "PoisonError", message: "422 rejected", class: "poison" },
          message: { id: "req-1", meta: {}, sizeBytes: 10, value: original },
        }),
      ],
      testContext(),
    );
    const [record] = await consumeAll(bootstrap, topic);
    expect(record?.key?.toString()).toBe("req-1");
    expect(record?.value?.toString()).toBe(JSON.stringify(original));
    const header = (name: string) => record?.headers[name]?.toString();
    expect(header("pipekit-error-message")).toBe("422 rejected");
    expect(header("pipekit-error-class")).toBe("poison");
    expect(header("pipekit-component")).toBe("sinks.akto");
    expect(header("pipekit-attempts")).toBe("3");
  });

  it("reports health, and routes kafkajs logs to the component logger", async () => {
    const topic = uniqueTopic("health");
    await createKafkaTopics(bootstrap, [{ topic, numPartitions: 2 }]);
    const sink = track(createKafkaSink({ brokers: [bootstrap], topic }));
    expect(await sink.health()).toEqual({ ok: false, detail: "Kafka sink is not open" });
    const logger = recordingLogger();
    await sink.open(openContext(logger));
    expect(await sink.health()).toEqual({
      ok: true,
      detail: `topic '${topic}' (2 partitions) on ${bootstrap}`,
    });
    // The deliberate "limited retries" warning of kafkajs is demoted, not printed as a warning.
    expect(logger.lines.filter((l) => l.level === "warn" || l.level === "error")).toEqual([]);
    expect(logger.lines.some((l) => l.msg?.startsWith("Limiting retries"))).toBe(true);
  });
});
