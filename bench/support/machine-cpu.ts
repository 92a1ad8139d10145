/**
 * CPU time used on the whole machine, and by one process, between two readings (Linux /proc).
 * The end-to-end benchmark runs the emulator, the broker and the pipeline on the same cores, so
 * the pipeline can only go as fast as the CPU all three need per row leaves room for.
 */
import { readFileSync } from "node:fs";

/** Clock ticks per second of /proc's counters (USER_HZ): 100 on every Linux the bench runs on. */
const TICKS_PER_SEC = 100;

export interface CpuReading {
  /** Busy ticks of all cores (user, nice, system, irq, softirq, steal). */
  readonly machineTicks: number;
  /** user + system ticks of each watched process (all its threads), by pid. */
  readonly processTicks: ReadonlyMap<number, number>;
}

/** Undefined where /proc is not there (not Linux): the figures are then left out. */
export function readCpu(pids: readonly number[]): CpuReading | undefined {
  try {
    const [, ...fields] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/);
    const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
    const machineTicks = user! + nice! + system! + irq! + softirq! + (steal ?? 0);
    const processTicks = new Map<number, number>();
    for (const pid of pids) {
      // The command name (2nd field) may hold spaces: count fields from after its closing ')'.
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const after = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      processTicks.set(pid, Number(after[11]) + Number(after[12])); // utime, stime (fields 14, 15)
    }
    return { machineTicks, processTicks };
  } catch {
    return undefined;
  }
}

/** Seconds of CPU between two readings: the whole machine, and each watched process. */
export function cpuSecondsBetween(
  before: CpuReading,
  after: CpuReading,
): { machine: number; byPid: Map<number, number> } {
  const byPid = new Map<number, number>();
  for (const [pid, ticks] of after.processTicks) {
    byPid.set(pid, (ticks - (before.processTicks.get(pid) ?? ticks)) / TICKS_PER_SEC);
  }
  return { machine: (after.machineTicks - before.machineTicks) / TICKS_PER_SEC, byPid };
}
