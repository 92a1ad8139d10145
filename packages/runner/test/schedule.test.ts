import type { Logger } from "@pipekit/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CycleScheduler } from "../src/service/schedule.js";

function recordingLogger() {
  const warnings: string[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (_obj, msg) => warnings.push(msg ?? ""),
    error() {},
    child: () => logger,
  };
  return { logger, warnings };
}

/** A cycle whose duration the test controls, recording start and end times. */
function controlledCycles(durationsMs: number[]) {
  const log: { index: number; start: number; end: number }[] = [];
  let running = 0;
  let maxRunning = 0;
  const cycle = async (index: number) => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    const start = Date.now();
    await new Promise((r) => setTimeout(r, durationsMs[index - 1] ?? 0));
    running--;
    log.push({ index, start, end: Date.now() });
  };
  return { cycle, log, maxRunning: () => maxRunning };
}

describe("CycleScheduler", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z") });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("keeps an interval between starts and never overlaps a slow cycle, warning about it", async () => {
    const { logger, warnings } = recordingLogger();
    // Interval 10 s; the second cycle takes 25 s.
    const cycles = controlledCycles([1000, 25_000, 1000, 1000]);
    const scheduler = new CycleScheduler({ intervalSeconds: 10 }, cycles.cycle, logger);
    const done = scheduler.run();
    await vi.advanceTimersByTimeAsync(45_000);
    scheduler.stop();
    await vi.runAllTimersAsync();
    await done;
    const starts = cycles.log.map((c) => c.start - Date.parse("2026-01-01T00:00:00Z"));
    expect(starts.slice(0, 4)).toEqual([0, 10_000, 35_000, 45_000]);
    expect(cycles.maxRunning()).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /cycle took 25\.0s, longer than the 10\.0s interval: the next cycle starts now/,
    );
  });

  it("on a 6-field cron (seconds first) skips the runs a slow cycle overran", async () => {
    const { logger, warnings } = recordingLogger();
    // Every 10 seconds; the first cycle takes 25 s, overrunning the :10 and :20 runs.
    const cycles = controlledCycles([25_000, 1000]);
    const scheduler = new CycleScheduler({ cron: "*/10 * * * * *" }, cycles.cycle, logger);
    const done = scheduler.run();
    await vi.advanceTimersByTimeAsync(31_000);
    scheduler.stop();
    await vi.runAllTimersAsync();
    await done;
    const starts = cycles.log.map((c) => c.start - Date.parse("2026-01-01T00:00:00Z"));
    expect(starts).toEqual([0, 30_000]);
    expect(warnings[0]).toMatch(/overran 2 scheduled run\(s\) of "\*\/10 \* \* \* \* \*"/);
  });

  it("runs a single cycle for `once`", async () => {
    const { logger } = recordingLogger();
    const cycles = controlledCycles([10]);
    const done = new CycleScheduler({ once: true }, cycles.cycle, logger).run();
    await vi.runAllTimersAsync();
    await done;
    expect(cycles.log.map((c) => c.index)).toEqual([1]);
  });
});
