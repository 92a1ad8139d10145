import {
  type Message,
  Pipeline,
  RetryableError,
  type Source,
  type SourceChunk,
  silentLogger,
} from "@pipekit/core";
import { type KafkaBroker, startKafkaBroker } from "@pipekit/testkit-kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKafkaSink } from "../src/index.js";
import {
  consumeAll,
  mixedMessages,
  openContext,
  recordingLogger,
  testContext,
} from "./support/kafka-test-helpers.js";

// Its own broker: stopping the shared one would break the other test files running alongside.
let broker: KafkaBroker;

beforeAll(async () => {
  broker = await startKafkaBroker();
});

afterAll(async () => {
  await broker?.stop();
});

describe("KafkaSink across a broker restart", () => {
  it("fails writes with RetryableError while the broker is down and loses nothing once it is back", async () => {
    const topic = "restart.stream";
    await broker.createTopics([{ topic, numPartitions: 2 }]);
    const logger = recordingLogger();
    const sink = createKafkaSink({
      brokers: broker.brokers,
      topic,
      retries: 2,
      initialRetryTimeMs: 100,
      connectionTimeoutMs: 1_000,
      requestTimeoutMs: 5_000,
    });
    await sink.open(openContext(logger));

    const failures: unknown[] = [];
    let signalFirstFailure!: () => void;
    const firstFailure = new Promise<void>((r) => {
      signalFirstFailure = r;
    });
    let restarted = false;
    let stopping: Promise<void> | undefined;
    const written: Message[] = [];
    const deadline = Date.now() + 90_000;

    // Plays the engine's part: send batches in order, retry a failed batch until it is accepted.
    const writer = (async () => {
      let batchesAfterRestart = 0;
      for (let b = 0; !(restarted && batchesAfterRestart >= 10); b++) {
        const batch = mixedMessages(`b${b}`, 50);
        if (b === 10) stopping = broker.stopProcess(); // mid-stream, while the writer keeps going
        for (let attempt = 1; ; attempt++) {
          try {
            await sink.write(batch, testContext(logger, attempt));
            break;
          } catch (error) {
            failures.push(error);
            signalFirstFailure();
            if (!(error instanceof RetryableError) || Date.now() > deadline) throw error;
            await new Promise((r) => setTimeout(r, 100)); // the engine's backoff
          }
        }
        written.push(...batch);
        if (restarted) batchesAfterRestart++;
      }
    })();

    await firstFailure;
    await stopping;
    await broker.startProcess();
    restarted = true;
    await writer;
    await sink.close();

    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) expect(failure).toBeInstanceOf(RetryableError);
    expect((failures[0] as Error).message).toContain(`topic '${topic}' on ${broker.bootstrap}`);

    const consumed = await consumeAll(broker.bootstrap, topic, 60_000);
    const expected = new Map(written.map((m) => [keyOf(m.value), m.id]));
    const seen = new Map<string, number>();
    for (const r of consumed) {
      const k = r.value!.toString("base64");
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    const missing = [...expected.keys()].filter((k) => !seen.has(k));
    const duplicates = [...seen.values()].reduce((n, c) => n + (c - 1), 0);
    const unexpected = [...seen.keys()].filter((k) => !expected.has(k));
    console.log(
      `broker restart: ${written.length} records written, ${failures.length} failed write attempts, ` +
        `${consumed.length} consumed, ${missing.length} missing, ${duplicates} duplicates`,
    );
    expect(missing).toEqual([]);
    expect(unexpected).toEqual([]);
    expect(consumed.length).toBe(written.length + duplicates);
  });

  it("keeps the core Pipeline going through a restart: retries, then every record delivered", async () => {
    const topic = "restart.pipeline";
    await broker.createTopics([{ topic, numPartitions: 2 }]);
    const messages = mixedMessages("pl", 2_000);
    let restarting: Promise<void> | undefined;
    // The source takes the broker down after a quarter of the stream and brings it back while the
    // rest is being written, so later batches are certain to meet a broker that is away.
    const source: Source = {
      type: "array",
      async *read(): AsyncIterable<SourceChunk> {
        for (let i = 0; i < messages.length; i += 100) {
          if (i === 500) {
            await broker.stopProcess();
            restarting = broker.startProcess();
          }
          yield { messages: messages.slice(i, i + 100) };
        }
      },
    };
    const pipeline = new Pipeline({
      id: "restart",
      source,
      sinks: [
        {
          id: "kafka",
          sink: createKafkaSink({
            brokers: broker.brokers,
            topic,
            retries: 1,
            initialRetryTimeMs: 100,
            connectionTimeoutMs: 1_000,
            requestTimeoutMs: 5_000,
          }),
          batch: { maxCount: 100, lingerMs: 5 },
          retry: { maxAttempts: 200, initialDelayMs: 100, maxDelayMs: 500, maxElapsedMs: 90_000 },
        },
      ],
      deadLetter: {
        type: "refuse",
        write: async () => Promise.reject(new Error("nothing may be dead-lettered")),
      },
      logger: silentLogger,
    });
    await pipeline.open();
    let report: Awaited<ReturnType<Pipeline["runCycle"]>>;
    try {
      report = await pipeline.runCycle();
    } finally {
      await restarting;
      await pipeline.close();
    }
    expect(report.retries).toBeGreaterThan(0);
    expect(report.deadLettered).toBe(0);
    expect(report.sent.kafka).toBe(messages.length);

    const consumed = await consumeAll(broker.bootstrap, topic, 60_000);
    const seen = new Map<string, number>();
    for (const r of consumed)
      seen.set(r.value!.toString("base64"), (seen.get(r.value!.toString("base64")) ?? 0) + 1);
    const missing = messages.filter((m) => !seen.has(keyOf(m.value)));
    const duplicates = consumed.length - seen.size;
    console.log(
      `pipeline through a broker restart: ${messages.length} records, ${report.retries} retries, ` +
        `${consumed.length} consumed, ${missing.length} missing, ${duplicates} duplicates`,
    );
    expect(missing).toEqual([]);
    expect(seen.size).toBe(messages.length);
  });
});

function keyOf(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString("base64");
  return Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64");
}
