import { afterEach, describe, expect, inject, it } from "vitest";
import {
  deliveryStatus,
  type E2eStack,
  KafkaTopicTail,
  runShield,
  startE2eStack,
  startShield,
  waitFor,
} from "../src/index.js";

// Databricks-side faults against the real databricks-shield process (Akto's env vars, defaults).
// Each test gets a fresh stack: its own workspace, Akto emulator, Kafka topic and state dir.
describe("Databricks faults: databricks-shield delivers through them or fails clearly", () => {
  let stack: E2eStack;
  let tail: KafkaTopicTail;

  const fresh = async (seed: number) => {
    stack = await startE2eStack({ kafkaBootstrap: inject("kafkaBootstrap"), rowsPerTable: 60, seed });
    tail = await KafkaTopicTail.start(stack.kafkaBootstrap, stack.topic);
  };

  afterEach(async () => {
    await tail?.close();
    await stack?.close();
  });

  const expectEverythingDelivered = async () => {
    const status = await deliveryStatus(stack, tail);
    expect(status.expected).toBeGreaterThan(100);
    expect(status.missing.kafka).toEqual([]);
    expect(status.missing.akto).toEqual([]);
    expect(status.survivors).toEqual([]);
    expect(status.missingDeadLetters).toEqual([]);
    // Only the malformed rows are dead letters: nothing was given up on because of the faults.
    expect([...status.deadLetters.keys()].sort()).toEqual(stack.malformedIds().sort());
    return status;
  };

  it("429 and 503 storms on every REST API, REST and SQL latency: delivered", async () => {
    await fresh(21);
    const { faults } = stack.ws;
    faults.inject({
      type: "http-error",
      status: 429,
      retryAfterSeconds: 1,
      pathPrefix: "/api/2.1/unity-catalog",
      count: 3,
    });
    faults.inject({ type: "http-error", status: 503, pathPrefix: "/api/2.0/serving-endpoints", count: 3 });
    faults.inject({ type: "http-error", status: 503, pathPrefix: "/api/2.0/sql/warehouses", count: 2 });
    faults.inject({ type: "latency", latencyMs: 200, pathPrefix: "/api/", count: 12 });
    faults.setSqlLatency(400);

    const run = await runShield(["-once"], stack.env);
    expect(
      run.code,
      run.stdout
        .split("\n")
        .filter((l) => /"level":"(error|warn)"/.test(l))
        .join("\n")
        .slice(0, 6000),
    ).toBe(0);
    // Every error fault fired (count-limited faults are removed once used up).
    expect(faults.list().filter((f) => f.spec.type === "http-error")).toEqual([]);
    await expectEverythingDelivered();
  });

  it("429/503 from the SQL warehouse itself: sessions and statements are started again, everything delivered", async () => {
    await fresh(24);
    // The driver retries only idempotent Thrift calls; the source starts throttled sessions/statements again.
    stack.ws.faults.inject({ type: "http-error", status: 503, pathPrefix: stack.ws.httpPath, count: 2 });
    stack.ws.faults.inject({
      type: "http-error",
      status: 429,
      retryAfterSeconds: 1,
      pathPrefix: stack.ws.httpPath,
      count: 1,
    });
    const run = await runShield(["-once"], stack.env);
    expect(run.code, run.stderr + run.stdout.slice(-4000)).toBe(0);
    expect(run.stdout).toContain(`SQL warehouse ${stack.ws.httpPath} busy or unreachable`);
    expect(stack.ws.faults.list().filter((f) => f.spec.type === "http-error")).toEqual([]);
    await expectEverythingDelivered();
  });

  it("tokens revoked mid-run: the source re-authenticates and delivers everything", async () => {
    await fresh(22);
    stack.ws.faults.setSqlLatency(300);
    const run = startShield(["-once"], stack.env);
    // Revoke once the warehouse is being read: the session's token dies under it.
    await waitFor(() => stack.ws.stats.statementsExecuted > 0 || run.hasExited, "the first SQL statement");
    stack.ws.tokens.revokeAll();
    const exit = await run.exited;
    expect(exit.code, exit.stderr + exit.stdout.slice(-4000)).toBe(0);
    await expectEverythingDelivered();
    expect(exit.stdout + exit.stderr).not.toContain(stack.ws.credentials.clientSecret);
  });

  it("warehouse stopped: the cycle fails naming the warehouse; after it starts, the next cycle delivers all", async () => {
    await fresh(23);
    stack.ws.faults.stopWarehouse();
    const run = startShield([], { ...stack.env, RECURRING_INTERVAL_SECONDS: "1" });
    try {
      await waitFor(
        () => /warehouse/i.test(run.stdout) && /"level":"error"/.test(run.stdout),
        "a cycle error",
        60_000,
      );
      const failure = run.stdout.split("\n").find((l) => /"level":"error"/.test(l) && /warehouse/i.test(l))!;
      expect(failure, run.stdout.slice(-4000)).toMatch(/warehouse/i);
      // The warehouse by name and state, with what to do about it.
      expect(failure).toMatch(/Emulator Serverless \(STOPPED\)/);
      expect(stack.akto.records).toEqual([]);

      stack.ws.faults.startWarehouse();
      await waitFor(
        async () => (await deliveryStatus(stack, tail)).missing.akto.length === 0,
        "every execution in Akto",
        90_000,
      );
    } finally {
      const exit = await run.terminate();
      expect(exit.code, exit.stderr).toBe(0);
    }
    await expectEverythingDelivered();
  });
});
