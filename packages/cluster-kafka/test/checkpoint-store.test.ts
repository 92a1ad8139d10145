import { ConfigResourceTypes, Kafka, logLevel } from "kafkajs";
import { afterEach, describe, expect, inject, it } from "vitest";
import { ensureTopics, KafkaCheckpointStore } from "../src/index.js";
import { recordingLogger, uniqueNames } from "./helpers.js";

const bootstrap = inject("kafkaBootstrap");
const kafka = new Kafka({
  clientId: "checkpoint-store-test",
  brokers: [bootstrap],
  logLevel: logLevel.NOTHING,
});

const open: KafkaCheckpointStore[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function compactedTopic(label: string): Promise<string> {
  const { checkpointTopic } = uniqueNames(label);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [
      {
        topic: checkpointTopic,
        numPartitions: 2,
        replicationFactor: 1,
        configEntries: [{ name: "cleanup.policy", value: "compact" }],
      },
    ]);
  } finally {
    await admin.disconnect();
  }
  return checkpointTopic;
}

async function startStore(
  topic: string,
  owner: string,
  extra: { ownsKey?: (key: string) => boolean } = {},
): Promise<KafkaCheckpointStore> {
  const logger = recordingLogger();
  const store = new KafkaCheckpointStore(kafka, { topic, owner, logger, ...extra });
  open.push(store);
  await store.start();
  return store;
}

describe("KafkaCheckpointStore on a real broker", () => {
  it("reads back what was committed: the last value per key wins", async () => {
    const topic = await compactedTopic("roundtrip");
    const writer = await startStore(topic, "writer");
    await writer.commit("workspace.default.a", { v: 1, n: 1 });
    await writer.commit("workspace.default.b", { v: 1, n: 10 });
    await writer.commit("workspace.default.a", { v: 1, n: 2 });
    expect(await writer.load("workspace.default.a")).toEqual({ v: 1, n: 2 });

    // A fresh instance (another process, a restart) sees the same positions after start().
    const reader = await startStore(topic, "reader");
    expect(await reader.load("workspace.default.a")).toEqual({ v: 1, n: 2 });
    expect(Object.fromEntries(await reader.loadAll())).toEqual({
      "workspace.default.a": { v: 1, n: 2 },
      "workspace.default.b": { v: 1, n: 10 },
    });
    expect(await reader.load("workspace.default.missing")).toBeUndefined();
  });

  it("readToEnd catches up on commits another instance made after start", async () => {
    const topic = await compactedTopic("catch-up");
    const a = await startStore(topic, "a");
    const b = await startStore(topic, "b");
    for (let i = 0; i < 20; i++) await a.commit(`key-${i % 5}`, { i });
    await b.readToEnd();
    for (let k = 0; k < 5; k++) expect(await b.load(`key-${k}`)).toEqual({ i: 15 + k });
  });

  it("ignores a late write by another instance for a key it owns, not for others", async () => {
    const topic = await compactedTopic("owner-guard");
    const owner = await startStore(topic, "owner", { ownsKey: (key) => key === "mine" });
    const zombie = await startStore(topic, "zombie");
    await owner.commit("mine", { at: 2 });
    await zombie.commit("mine", { at: 1 }); // the previous owner's write landing late
    await zombie.commit("theirs", { at: 1 });
    await owner.readToEnd();
    expect(await owner.load("mine")).toEqual({ at: 2 });
    expect(await owner.load("theirs")).toEqual({ at: 1 });
    // A newcomer takes the log as written: last record per key.
    const newcomer = await startStore(topic, "newcomer");
    expect(await newcomer.load("mine")).toEqual({ at: 1 });
  });

  it("skips records it cannot read, with a warning, and keeps going", async () => {
    const topic = await compactedTopic("garbage");
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: "bad", value: "not json" },
        { key: "old-format", value: JSON.stringify({ something: 1 }) },
        { key: "good", value: JSON.stringify({ v: 1, owner: "x", position: { ok: true } }) },
      ],
    });
    await producer.disconnect();
    const logger = recordingLogger();
    const store = new KafkaCheckpointStore(kafka, { topic, owner: "me", logger });
    open.push(store);
    await store.start();
    expect(await store.load("good")).toEqual({ ok: true });
    expect(await store.load("bad")).toBeUndefined();
    expect(logger.entries.filter((e) => e.level === "warn").map((e) => e.msg)).toEqual([
      "ignoring a checkpoint record that is not JSON",
      "ignoring a checkpoint record in an unknown format",
    ]);
  });

  it("topics made by ensureTopics are compacted", async () => {
    const topic = await compactedTopic("config");
    const admin = kafka.admin();
    await admin.connect();
    try {
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ["cleanup.policy"] }],
      });
      expect(described.resources[0]?.configEntries[0]?.configValue).toBe("compact");
    } finally {
      await admin.disconnect();
    }
  });

  it("fails clearly when used before start and after close", async () => {
    const store = new KafkaCheckpointStore(kafka, { topic: "unused", owner: "x" });
    await expect(store.commit("k", 1)).rejects.toThrow(/not started/);
    await store.close();
    await expect(store.commit("k", 1)).rejects.toThrow(/closed/);
  });
});
