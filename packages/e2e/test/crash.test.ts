import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type E2eStack, runCrashTrials, startE2eStack } from "../src/index.js";

// Crash recovery with real parts: the runner process is SIGKILLed at seeded points (during
// discovery, mid-read, mid-delivery, right after a checkpoint commit) and restarted, 20 times, while
// the workspace emulator, the Akto emulator and the Kafka broker stay up. Nothing the checkpoint
// calls delivered may be missing from a sink after any trial, and after a final clean run every
// execution is in Kafka AND in Akto; re-deliveries stay within the un-committed window.
describe("crash recovery: SIGKILL the runner at random points, restart, nothing lost", () => {
  let stack: E2eStack;

  beforeAll(async () => {
    stack = await startE2eStack({ kafkaBootstrap: inject("kafkaBootstrap"), rowsPerTable: 300, seed: 11 });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it("20 seeded kills over all four phases: zero losses, duplicates bounded per crash", {
    timeout: 300_000,
  }, async () => {
    const lines: string[] = [];
    // Enough new rows per trial that a run is still busy when its seeded kill point comes (commits are
    // coalesced and cheap now, so runs finish sooner than they used to).
    const report = await runCrashTrials(stack, {
      trials: 20,
      seed: 20_240_611,
      rowsPerTrial: 100,
      log: (l) => lines.push(l),
    });
    const context = lines.join("\n");

    expect(report.trials).toHaveLength(20);
    // Kills landed in every phase (a run that ends before its kill point just counts as a clean run).
    expect(report.killed, context).toBeGreaterThanOrEqual(16);
    for (const phase of Object.values(report.killsByPhase)) expect(phase, context).toBeGreaterThanOrEqual(3);

    // After every trial: whatever the checkpoint lists as delivered is in Kafka and in Akto.
    expect(
      report.trials.flatMap((t) => [...t.lost.kafka, ...t.lost.akto]),
      context,
    ).toEqual([]);
    expect(report.trialsLost).toBe(0);

    // After the final clean run: every seeded and added execution reached both sinks; malformed
    // rows are in the dead-letter file.
    expect(report.finalExitCode, report.finalStderr).toBe(0);
    expect(report.expected).toBeGreaterThan(1_500);
    expect(report.missingAtEnd.kafka, context).toEqual([]);
    expect(report.missingAtEnd.akto, context).toEqual([]);
    expect(report.missingDeadLetters).toEqual([]);

    // At-least-once: kills mid-stream cause re-deliveries, but what a kill leaves delivered and not
    // committed stays within the in-flight budget (duplicateBoundPerCrash: 100 with CRASH_TUNING),
    // and every re-delivery is one of those ids (none re-sent that was committed).
    expect(report.duplicates.kafka + report.duplicates.akto, context).toBeGreaterThan(0);
    expect(report.maxUncommittedAtKill, context).toBeLessThanOrEqual(report.duplicateBoundPerCrash);
    expect(report.duplicates.kafka, context).toBeLessThanOrEqual(report.uncommittedAtKills.kafka);
    expect(report.duplicates.akto, context).toBeLessThanOrEqual(report.uncommittedAtKills.akto);
    console.log(`${context}\ncrash suite: ${(report.durationMs / 1000).toFixed(1)} s`);
  });
});
