import { randomUUID } from "node:crypto";
import { type IHeaders, Kafka, logLevel } from "kafkajs";

export interface TopicRecord {
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
}

/**
 * Reads a topic from the beginning up to its end offsets at the time of the call (waiting on the
 * consumer, with a deadline — never a fixed sleep), then disconnects. For tests and demos that must
 * check what really reached Kafka.
 */
export async function readTopic(
  bootstrap: string,
  topic: string,
  timeoutMs = 30_000,
): Promise<TopicRecord[]> {
  const kafka = new Kafka({ clientId: "pipekit-reader", brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const expected = ends.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  const records: TopicRecord[] = [];
  if (expected === 0) return records;

  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const allRead = new Promise<void>((done) => {
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          records.push({
            partition,
            offset: message.offset,
            key: message.key,
            value: message.value,
            headers: message.headers ?? {},
          });
          if (records.length >= expected) done();
        },
      });
    });
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`read ${records.length} of ${expected} records from ${topic} in ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    await Promise.race([allRead, deadline]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return records;
}
