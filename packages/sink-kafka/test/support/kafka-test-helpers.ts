import { randomUUID } from "node:crypto";
import { metrics, trace } from "@opentelemetry/api";
import {
  type ComponentContext,
  createMessage,
  type Logger,
  type Message,
  type WriteContext,
} from "@pipekit/core";
import { type IHeaders, Kafka, logLevel } from "kafkajs";

export interface ConsumedRecord {
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
}

/** A logger that keeps what it is told, so tests can assert on (and against) log content. */
export function recordingLogger(): Logger & {
  readonly lines: { level: string; obj: object; msg?: string }[];
} {
  const lines: { level: string; obj: object; msg?: string }[] = [];
  const make = (): Logger & { lines: typeof lines } => ({
    lines,
    debug: (obj, msg) => lines.push({ level: "debug", obj, msg }),
    info: (obj, msg) => lines.push({ level: "info", obj, msg }),
    warn: (obj, msg) => lines.push({ level: "warn", obj, msg }),
    error: (obj, msg) => lines.push({ level: "error", obj, msg }),
    child: () => make(),
  });
  return make();
}

export function testContext(logger: Logger = recordingLogger(), attempt = 1): WriteContext {
  return {
    componentId: "sinks.kafka",
    logger,
    meter: metrics.getMeter("test"),
    tracer: trace.getTracer("test"),
    signal: new AbortController().signal,
    attempt,
  };
}

export function openContext(logger?: Logger): ComponentContext {
  return testContext(logger);
}

export function uniqueTopic(prefix: string): string {
  return `${prefix}.${randomUUID().slice(0, 8)}`;
}

/** `count` messages with ids `${prefix}-${i}` and values of mixed kinds (JSON, text, bytes). */
export function mixedMessages(prefix: string, count: number): Message[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `${prefix}-${i}`;
    switch (i % 3) {
      case 0:
        return createMessage(id, { id, n: i, text: `héllo ${i} ✓`, nested: { ok: true } });
      case 1:
        return createMessage(id, `plain text ${id}`);
      default:
        return createMessage(
          id,
          Buffer.concat([Buffer.from([0, 255, i % 256, 10, 13, 0x80]), Buffer.from(id)]),
        );
    }
  });
}

/** The bytes the sink must have written for a message value. */
export function expectedBytes(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === "string") return Buffer.from(value);
  return Buffer.from(JSON.stringify(value));
}

/**
 * Reads a topic from the beginning until everything up to its current end offsets is consumed
 * (polling the condition, with a deadline), then disconnects.
 */
export async function consumeAll(
  bootstrap: string,
  topic: string,
  timeoutMs = 30_000,
): Promise<ConsumedRecord[]> {
  const kafka = new Kafka({ clientId: "test-consumer", brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const expected = ends.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);

  const records: ConsumedRecord[] = [];
  const consumer = kafka.consumer({ groupId: `test-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done!: () => void;
    const allRead = new Promise<void>((r) => {
      done = r;
    });
    if (expected === 0) done();
    await consumer.run({
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
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      allRead,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`consumed ${records.length} of ${expected} records from ${topic}`)),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect();
  }
  return records;
}
