import type { Admin, ITopicConfig } from "kafkajs";

export interface TopicPlan {
  readonly topic: string;
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly configEntries?: ITopicConfig["configEntries"];
}

/**
 * Creates the missing topics and waits until every partition has a leader: on KRaft a new topic is
 * briefly unknown to the broker that must serve it, and kafkajs clients fail on it instead of
 * waiting. Returns each topic's actual partition count (an existing topic keeps its own).
 */
export async function ensureTopics(
  admin: Admin,
  plans: readonly TopicPlan[],
  timeoutMs = 30_000,
): Promise<Map<string, number>> {
  const existing = new Set(await admin.listTopics());
  const missing = plans.filter((p) => !existing.has(p.topic));
  if (missing.length > 0) {
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((p) => ({
          topic: p.topic,
          numPartitions: p.numPartitions,
          replicationFactor: p.replicationFactor,
          ...(p.configEntries ? { configEntries: p.configEntries } : {}),
        })),
      });
    } catch (error) {
      // Another instance may have created it first; anything else shows up as "no leader" below.
      if ((error as { type?: string }).type !== "TOPIC_ALREADY_EXISTS") {
        const stillMissing = new Set(await admin.listTopics().catch(() => []));
        if (missing.some((p) => !stillMissing.has(p.topic))) throw error;
      }
    }
  }
  const deadline = Date.now() + timeoutMs;
  const topics = plans.map((p) => p.topic);
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      if (metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) {
        return new Map(metadata.map((t) => [t.name, t.partitions.length]));
      }
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Kafka topics ${topics.join(", ")} have no leader after ${timeoutMs} ms`, {
    cause: lastError,
  });
}
