import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  deliveryStatus,
  type E2eStack,
  KafkaTopicTail,
  startE2eStack,
  startPipeline,
  waitFor,
  writeTunedShieldPipeline,
} from "../src/index.js";

// Akto answers 503 to everything for a minute. The pipeline is exactly the one databricks-shield
// generates, with its default retry policy (built to ride out outages of a few minutes): nothing may
// be dead-lettered or lost.
const OUTAGE_MS = 60_000;

describe("Akto ingestion down (HTTP 503) for a minute", () => {
  let stack: E2eStack;
  let tail: KafkaTopicTail;

  beforeAll(async () => {
    stack = await startE2eStack({ kafkaBootstrap: inject("kafkaBootstrap"), rowsPerTable: 60, seed: 31 });
    tail = await KafkaTopicTail.start(stack.kafkaBootstrap, stack.topic);
  });

  afterAll(async () => {
    await tail?.close();
    await stack?.close();
  });

  it("retries through the outage, then delivers everything; Kafka is unaffected", {
    timeout: 240_000,
  }, async () => {
    const file = await writeTunedShieldPipeline(stack.env, stack.stateDir, {
      schedule: { once: true },
    });
    stack.akto.faults.inject({ kind: "status", status: 503, count: 1_000_000 });
    const run = startPipeline(["run", file, "--no-progress"], stack.env);
    await waitFor(() => stack.akto.requests.countOf(503) > 0 || run.hasExited, "the first 503", 60_000);
    const outageStarted = Date.now();
    // The outage length is the fault under test, not a synchronisation wait.
    const outage = new Promise<void>((end) =>
      setTimeout(() => {
        stack.akto.faults.clear();
        end();
      }, OUTAGE_MS),
    );
    // Kafka gets everything while Akto is down: the sinks do not hold each other up.
    await waitFor(
      async () => (await deliveryStatus(stack, tail)).missing.kafka.length === 0,
      "every execution in Kafka during the Akto outage",
      OUTAGE_MS - 2_000,
    );
    expect(stack.akto.records).toEqual([]);
    expect(run.hasExited).toBe(false);
    await outage;

    const exit = await run.exited;
    expect(exit.code, exit.stdout.slice(-3000)).toBe(0);
    const rejected = stack.akto.requests.log.filter((e) => e.status === 503).length;
    expect(Date.now() - outageStarted).toBeGreaterThanOrEqual(OUTAGE_MS);
    expect(rejected).toBeGreaterThan(5);

    const status = await deliveryStatus(stack, tail);
    expect(status.missing.akto).toEqual([]);
    expect(status.missing.kafka).toEqual([]);
    expect(status.survivors).toEqual([]);
    expect([...status.deadLetters.keys()].sort()).toEqual(stack.malformedIds().sort());
    // A 503 means "not accepted": nothing was stored twice.
    expect(status.duplicates).toEqual({ kafka: 0, akto: 0 });
  });
});
