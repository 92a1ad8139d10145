import { randomBytes } from "node:crypto";
import { createMessage, PoisonError } from "@pipekit/core";
import { createKafkaTopics } from "@pipekit/testkit-kafka";
import { afterEach, describe, expect, inject, it } from "vitest";
import { createKafkaDeadLetterSink, createKafkaSink, type KafkaSink } from "../src/index.js";
import { javaDefaultPartition } from "./support/java-default-partition.js";
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
    // Where Kafka's Java client would put each key, whichever lane sent it.
    for (const r of consumed) expect(r.partition).toBe(javaDefaultPartition(r.key!.toString(), 2));
  });

  it("reports a record too large for the topic alone, before sending, and writes its batch-mates", async () => {
    const topic = uniqueTopic("small");
    await createKafkaTopics(bootstrap, [
      { topic, numPartitions: 2, configEntries: [{ name: "max.message.bytes", value: "4096" }] },
    ]);
    const sink = track(createKafkaSink({ brokers: [bootstrap], topic, compression: "gzip" }));
    await sink.open(openContext());
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const result = await sink.write(
      [
        createMessage("a", "ok-a"),
        createMessage("huge", randomBytes(20_000)), // incompressible: too large even gzipped
        createMessage("bad", circular),
        createMessage("b", "ok-b"),
        createMessage("squeezable", "z".repeat(20_000)), // fits once compressed
      ],
      testContext(),
    );
    expect(result?.failed.map((f) => f.index)).toEqual([1, 2]);
    for (const f of result?.failed ?? []) expect(f.error).toBeInstanceOf(PoisonError);
    expect(result?.failed[0]?.error.message).toMatch(
      /^message 'huge' is \d+ bytes \(\d+ compressed\), more than Kafka topic '.*' accepts \(max.message.bytes 4096, MESSAGE_TOO_LARGE\)$/,
    );
    expect(result?.failed[1]?.error.message).toContain("message 'bad' cannot be serialised as JSON");
    const consumed = await consumeAll(bootstrap, topic);
    expect(consumed.map((r) => r.value!.toString()).sort()).toEqual(["ok-a", "ok-b", "z".repeat(20_000)]);
  });

  it("classifies the broker's own MESSAGE_TOO_LARGE as poison", async () => {
    const topic = uniqueTopic("broker-limit");
    await createKafkaTopics(bootstrap, [
      { topic, configEntries: [{ name: "max.message.bytes", value: "4096" }] },
    ]);
    // Told a larger limit than the topic's, so the record reaches the broker and is refused there.
    const sink = track(
      createKafkaSink({ brokers: [bootstrap], topic, compression: "none", maxBatchBytes: 65_536 }),
    );
    const error = await sink
      .write([createMessage("huge", "x".repeat(20_000))], testContext())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoisonError);
    expect((error as Error).message).toMatch(/MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE/);
    expect(await consumeAll(bootstrap, topic)).toEqual([]);
  });

  it("splits a batch larger than the topic's max.message.bytes into several sends, each record once", async () => {
    const topic = uniqueTopic("split");
    await createKafkaTopics(bootstrap, [
      { topic, configEntries: [{ name: "max.message.bytes", value: "8192" }] },
    ]);
    const sink = track(createKafkaSink({ brokers: [bootstrap], topic, compression: "none" }));
    await sink.open(openContext());
    const messages = Array.from({ length: 60 }, (_, i) => createMessage(`m${i}`, `${i}:`.padEnd(1_000, "v")));
    expect(await sink.write(messages, testContext())).toBeUndefined();
    const consumed = await consumeAll(bootstrap, topic);
    expect(consumed.map((r) => r.value!.toString())).toEqual(messages.map((m) => m.value));
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
