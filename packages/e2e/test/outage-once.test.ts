import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parse, stringify } from "yaml";
import {
  duplicateCount,
  type E2eStack,
  executionIds,
  readDeadLetters,
  runPipeline,
  runShield,
  startE2eStack,
  waitFor,
} from "../src/index.js";

// Akto answers 503 to everything until the test clears the fault: an outage longer than a `-once`
// run's deadline. Only the Akto sink is configured, so "exactly once" is about Akto alone.
const DEADLINE_SECONDS = 8;
const DRAIN_SECONDS = 2;
/** Process start-up (tsx compiling the sources, OAuth, discovery) on a busy 2-core machine. */
const STARTUP_ALLOWANCE_MS = 25_000;

function aktoOnly(stack: E2eStack, extra: Record<string, string> = {}): Record<string, string> {
  const { KAFKA_BROKER_HOST: _kafka, KAFKA_TOPIC: _topic, ...env } = stack.env;
  return {
    ...env,
    SHIELD_ONCE_DEADLINE_SECONDS: String(DEADLINE_SECONDS),
    SHIELD_DRAIN_TIMEOUT_SECONDS: String(DRAIN_SECONDS),
    ...extra,
  };
}

async function sinkDeadLetters(stack: E2eStack) {
  return (await readDeadLetters(stack.deadLetterFile)).filter((d) => d.stage === "sink");
}

describe("Akto down for longer than a -once deadline", () => {
  let stack: E2eStack;

  beforeAll(async () => {
    stack = await startE2eStack({ kafkaBootstrap: inject("kafkaBootstrap"), rowsPerTable: 30, seed: 47 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("exits non-zero in time naming Akto and the count left, dead-letters nothing for the outage; the next run delivers everything exactly once", {
    timeout: 240_000,
  }, async () => {
    stack.akto.faults.inject({ kind: "status", status: 503, count: 1_000_000 });
    const started = Date.now();
    const down = await runShield(["-once", "--no-progress"], aktoOnly(stack));
    const tookMs = Date.now() - started;
    expect(down.code, down.stdout.slice(-3000) + down.stderr.slice(-2000)).toBe(3);
    expect(tookMs).toBeLessThan((DEADLINE_SECONDS + DRAIN_SECONDS) * 1000 + STARTUP_ALLOWANCE_MS);
    const left = /not delivered to "akto": (\d+) record\(s\), destination unavailable \(([^)]*)/.exec(
      down.stdout,
    );
    expect(left, down.stdout.slice(-3000)).not.toBeNull();
    expect(Number(left![1])).toBeGreaterThan(0);
    expect(left![2]).toContain("503");
    expect(stack.akto.requests.countOf(503)).toBeGreaterThan(0);
    expect(stack.akto.records).toEqual([]);
    expect(await sinkDeadLetters(stack)).toEqual([]);

    stack.akto.faults.clear();
    const back = await runShield(
      ["-once", "--no-progress"],
      aktoOnly(stack, { SHIELD_ONCE_DEADLINE_SECONDS: "120" }),
    );
    expect(back.code, back.stdout.slice(-3000) + back.stderr.slice(-2000)).toBe(0);
    const ids = executionIds(stack.akto.records);
    expect(new Set(ids)).toEqual(new Set(stack.expectedIds()));
    expect(duplicateCount(ids)).toBe(0);
    expect(await sinkDeadLetters(stack)).toEqual([]);
    // The seeded malformed rows, and nothing else. The first run's checkpoint could not pass the
    // records Akto never took, so the second run read those rows again and may dead-letter them again:
    // the dead-letter file is at-least-once too (replay sends each id once).
    const deadIds = new Set((await readDeadLetters(stack.deadLetterFile)).map((d) => d.id));
    expect([...deadIds].sort()).toEqual(stack.malformedIds().sort());
  });
});

describe("Akto down for longer than the look-back window", () => {
  let stack: E2eStack;

  beforeAll(async () => {
    stack = await startE2eStack({ kafkaBootstrap: inject("kafkaBootstrap"), rowsPerTable: 10, seed: 53 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("delivers what was read during the outage once Akto is back, though it is older than the look-back by then", {
    timeout: 240_000,
  }, async () => {
    // A 30-second look-back and a 1-second safety lag, so the outage can outlast the window in a test.
    const LOOK_BACK_MS = 30_000;
    const env = aktoOnly(stack, { DATABRICKS_LOOKBACK_MINUTES: String(LOOK_BACK_MS / 60_000) });
    const printed = await runShield(["--print-pipeline", "-once"], env);
    expect(printed.code, printed.stderr).toBe(0);
    const doc = parse(printed.stdout) as {
      source: Record<string, unknown>;
      schedule: Record<string, unknown>;
    };
    doc.source.safetyLagSeconds = 1;
    const file = join(stack.stateDir, "short-window.yaml");
    await writeFile(file, stringify(doc, { lineWidth: 0 }));
    expect(doc.schedule).toEqual({ once: true, deadlineSeconds: DEADLINE_SECONDS });

    // The connector has been running: a first run (Akto up) commits every table's window. (A table
    // whose very first window is cut short by an outage has no committed state to resume from.)
    const first = await runPipeline(["run", "--no-progress", file], env);
    const firstEnded = Date.now();
    expect(first.code, first.stdout.slice(-3000) + first.stderr.slice(-2000)).toBe(0);

    // Rows newer than what the first run committed (older, late rows are only caught within the
    // look-back), yet old enough for the next run: each run reads up to its start less the 1 s
    // safety lag, so a row stamped 1 s before the first run ENDED is past the first run's bound and
    // within the next one's, however quickly that next process starts.
    const insertedAt = firstEnded - 1_000;
    const rows = await stack.ws.insertLateRows(20, {
      table: stack.payloadTables[0]!,
      minutesAgo: 0,
      now: insertedAt,
    });
    const added = rows.map((r) => r.id);

    stack.akto.faults.inject({ kind: "status", status: 503, count: 1_000_000 });
    const down = await runPipeline(["run", "--no-progress", file], env);
    expect(down.code, down.stdout.slice(-3000) + down.stderr.slice(-2000)).toBe(3);
    expect(down.stdout).toMatch(/not delivered to "akto": \d+ record\(s\)/);
    expect(stack.akto.records).toEqual([]);
    expect(await sinkDeadLetters(stack)).toEqual([]);

    // The outage lasting past the window is the fault under test, not a synchronisation wait.
    await waitFor(
      () => Date.now() > insertedAt + LOOK_BACK_MS + 5_000,
      "the rows to age out of the look-back",
      60_000,
      200,
    );
    stack.akto.faults.clear();
    const back = await runPipeline(["run", "--no-progress", "--deadline", "120", file], env);
    expect(back.code, back.stdout.slice(-3000) + back.stderr.slice(-2000)).toBe(0);
    const ids = executionIds(stack.akto.records);
    expect(ids.filter((id) => added.includes(id)).sort(), back.stdout.slice(-4000)).toEqual(
      [...added].sort(),
    );
    expect(duplicateCount(ids)).toBe(0);
    expect(await sinkDeadLetters(stack)).toEqual([]);
  });
});
