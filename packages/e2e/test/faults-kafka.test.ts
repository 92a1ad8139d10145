import { type KafkaBroker, startKafkaBroker } from "@pipekit/testkit-kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deliveryStatus,
  type E2eStack,
  KafkaTopicTail,
  startE2eStack,
  startPipeline,
  waitFor,
  writeTunedShieldPipeline,
} from "../src/index.js";

// The broker process is stopped for 30 s in the middle of a run and started again on the same
// port and data. Its own broker (not the shared one): other suites keep theirs. The Kafka sink's
// retry policy is raised so its retries outlast the outage (100 attempts, backoff capped at 2 s).
const OUTAGE_MS = 30_000;

describe("Kafka broker down for 30 s mid-run", () => {
  let broker: KafkaBroker;
  let stack: E2eStack;

  beforeAll(async () => {
    broker = await startKafkaBroker();
    stack = await startE2eStack({ kafkaBootstrap: broker.bootstrap, rowsPerTable: 150, seed: 51 });
  });

  afterAll(async () => {
    await stack?.close();
    await broker?.stop();
  });

  it("retries until the broker is back, then delivers everything; duplicates counted", {
    timeout: 180_000,
  }, async () => {
    const file = await writeTunedShieldPipeline(stack.env, stack.stateDir, {
      chunkRows: 20,
      checkpointEveryRows: 20,
      budgetMessages: 100,
      batch: { kafka: { maxCount: 50, lingerMs: 20 }, akto: { maxCount: 50, lingerMs: 20 } },
      retry: { kafka: { maxAttempts: 100, initialDelayMs: 200, maxDelayMs: 2_000 } },
      schedule: { once: true },
    });
    // Slow reads a little so the run is still going when the broker stops.
    stack.ws.faults.inject({ type: "latency", latencyMs: 50, pathPrefix: stack.ws.httpPath });
    const run = startPipeline(["run", file, "--no-progress"], stack.env);
    await waitFor(() => stack.akto.records.length >= 50 || run.hasExited, "the first deliveries", 60_000);
    expect(run.hasExited).toBe(false);
    await broker.stopProcess();
    const stoppedAt = Date.now();
    const aktoAtStop = stack.akto.records.length;
    // The outage length is the fault under test, not a synchronisation wait.
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    expect(run.hasExited).toBe(false);
    // The budget holds the source back while Kafka cannot acknowledge: Akto gets at most a
    // budget's worth more (plus one chunk and its tool-call records) during the outage.
    expect(stack.akto.records.length - aktoAtStop).toBeLessThan(400);
    await broker.startProcess();
    const downMs = Date.now() - stoppedAt;

    const exit = await run.exited;
    expect(exit.code, exit.stdout.slice(-3000)).toBe(0);
    const tail = await KafkaTopicTail.start(broker.bootstrap, stack.topic);
    try {
      const status = await deliveryStatus(stack, tail);
      expect(downMs).toBeGreaterThanOrEqual(OUTAGE_MS);
      expect(status.missing.kafka).toEqual([]);
      expect(status.missing.akto).toEqual([]);
      expect(status.survivors).toEqual([]);
      expect([...status.deadLetters.keys()].sort()).toEqual(stack.malformedIds().sort());
      // Re-sent batches whose acknowledgement the outage swallowed show up as duplicates.
      console.log(
        `Kafka outage ${downMs} ms: duplicates kafka=${status.duplicates.kafka} akto=${status.duplicates.akto}`,
      );
      expect(status.duplicates.akto).toBe(0);
      expect(status.duplicates.kafka).toBeLessThanOrEqual(100 + 20);
    } finally {
      await tail.close();
    }
  });
});
