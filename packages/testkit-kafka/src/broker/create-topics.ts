import type { Admin, ITopicConfig } from "kafkajs";
import { quietKafka } from "./wait-until-ready.js";

export type TopicSpec =
  | string
  | {
      readonly topic: string;
      readonly numPartitions?: number;
      readonly configEntries?: ITopicConfig["configEntries"];
    };

/**
 * Creates topics on the broker at `bootstrap` (existing ones are left alone) and waits until each
 * partition has a leader: with KRaft a freshly created topic is briefly unknown to the broker that
 * must serve it, and kafkajs producers fail on it instead of waiting.
 */
export async function createKafkaTopics(bootstrap: string, topics: readonly TopicSpec[]): Promise<void> {
  const admin = quietKafka(bootstrap).admin();
  await admin.connect();
  try {
    const specs = topics.map((t) => (typeof t === "string" ? { topic: t } : t));
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.topic,
          numPartitions: s.numPartitions ?? 1,
          replicationFactor: 1,
          configEntries: s.configEntries,
        })),
      });
    }
    await waitForLeaders(
      admin,
      specs.map((s) => s.topic),
      Date.now() + 30_000,
    );
  } finally {
    await admin.disconnect();
  }
}

async function waitForLeaders(admin: Admin, topics: readonly string[], deadline: number): Promise<void> {
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...topics] });
      if (metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Kafka topics ${topics.join(", ")} have no leader after 30 s`, { cause: lastError });
}
