import { randomUUID } from "node:crypto";
import { metrics, trace } from "@opentelemetry/api";
import {
  type ComponentContext,
  createMessage,
  type Logger,
  type Message,
  type WriteContext,
} from "@pipekit/core";
import { readTopic, type TopicRecord } from "@pipekit/testkit-kafka";

export type ConsumedRecord = TopicRecord;

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

/** Reads a topic from the beginning to its current end (testkit-kafka's reader). */
export const consumeAll = readTopic;
