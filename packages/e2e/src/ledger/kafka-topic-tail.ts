import { randomUUID } from "node:crypto";
import { type Consumer, Kafka, logLevel } from "kafkajs";

/**
 * Follows a topic from its beginning for as long as it is open, keeping every record value (as
 * parsed JSON). `catchUp()` waits until everything written before the call has been read, so a
 * check after a run sees all of that run's records without re-reading the topic each time.
 */
export class KafkaTopicTail {
  readonly values: Record<string, unknown>[] = [];
  /** Next offset to read, per partition. */
  private readonly next = new Map<number, bigint>();
  private constructor(
    private readonly kafka: Kafka,
    private readonly consumer: Consumer,
    readonly topic: string,
  ) {}

  static async start(bootstrap: string, topic: string): Promise<KafkaTopicTail> {
    const kafka = new Kafka({
      clientId: "pipekit-e2e-tail",
      brokers: [bootstrap],
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: `e2e-tail-${randomUUID()}`, maxWaitTimeInMs: 100 });
    const tail = new KafkaTopicTail(kafka, consumer, topic);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (message.value) tail.values.push(JSON.parse(message.value.toString()) as Record<string, unknown>);
        tail.next.set(partition, BigInt(message.offset) + 1n);
      },
    });
    return tail;
  }

  /** Resolves once every record up to the topic's current end is in `values`. */
  async catchUp(timeoutMs = 30_000): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(this.topic).finally(() => admin.disconnect());
    const deadline = Date.now() + timeoutMs;
    const behind = () =>
      ends.filter(
        (p) => BigInt(p.high) > BigInt(p.low) && (this.next.get(p.partition) ?? 0n) < BigInt(p.high),
      );
    while (behind().length > 0) {
      if (Date.now() > deadline) {
        throw new Error(
          `Kafka tail of ${this.topic} still behind after ${timeoutMs} ms on partitions ${behind()
            .map((p) => p.partition)
            .join(", ")} (${this.values.length} records read)`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
  }
}
