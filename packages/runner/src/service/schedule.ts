import type { Logger } from "@pipekit/core";
import { Cron } from "croner";

export type Schedule =
  | { readonly once: true }
  | { readonly intervalSeconds: number }
  | { readonly cron: string };

/** Throws a readable error when a cron expression is not valid (6 fields, seconds first, or 5). */
export function checkCron(expression: string): void {
  new Cron(expression, { paused: true }).stop();
}

/**
 * Runs `cycle` on a schedule, never two at once. A cycle that outlasts its slot delays the next one
 * (which then starts at once for an interval, or at the next cron time) and a warning says so;
 * slots are never queued up, so a slow period does not turn into a burst.
 */
export class CycleScheduler {
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private readonly cron: Cron | undefined;

  constructor(
    private readonly schedule: Schedule,
    private readonly cycle: (index: number) => Promise<void>,
    private readonly logger: Logger,
  ) {
    if ("cron" in schedule) this.cron = new Cron(schedule.cron, { paused: true });
  }

  /** Resolves when the schedule ends: after the single cycle of `once`, or once stopped. */
  async run(): Promise<void> {
    for (let index = 1; !this.stopped; index++) {
      const started = Date.now();
      await this.cycle(index);
      if ("once" in this.schedule || this.stopped) break;
      const next = this.nextStart(started, Date.now());
      if (next > Date.now()) await this.sleepUntil(next);
    }
    this.cron?.stop();
  }

  /** No new cycle starts after this; a running one is left to finish (the caller drains it). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
  }

  private nextStart(started: number, ended: number): number {
    if ("intervalSeconds" in this.schedule) {
      const intervalMs = this.schedule.intervalSeconds * 1000;
      const due = started + intervalMs;
      if (due < ended) {
        this.logger.warn(
          { cycleMs: ended - started, intervalMs, overrunMs: ended - due },
          `cycle took ${ms(ended - started)}, longer than the ${ms(intervalMs)} interval: the next cycle starts now (cycles never overlap)`,
        );
        return ended;
      }
      return due;
    }
    const cron = this.cron as Cron;
    const slot = cron.nextRun(new Date(started))?.getTime();
    const next = cron.nextRun(new Date(ended))?.getTime() ?? Number.POSITIVE_INFINITY;
    if (slot !== undefined && slot < ended) {
      const missed = cron.nextRuns(1000, new Date(started)).filter((d) => d.getTime() < ended).length;
      this.logger.warn(
        { cycleMs: ended - started, missedRuns: missed, nextRun: new Date(next).toISOString() },
        `cycle took ${ms(ended - started)} and overran ${missed} scheduled run(s) of "${(this.schedule as { cron: string }).cron}": they are skipped (cycles never overlap); next run at ${new Date(next).toISOString()}`,
      );
    }
    return next;
  }

  private sleepUntil(time: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      if (!Number.isFinite(time)) return; // a cron with no future run: wait for stop()
      this.timer = setTimeout(resolve, Math.max(0, time - Date.now()));
    });
  }
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(1)}s` : `${value}ms`;
}

/** The config's schedule block (exactly one key set, as validated) as a Schedule. */
export function toSchedule(config: { intervalSeconds?: number; cron?: string; once?: true }): Schedule {
  if (config.intervalSeconds !== undefined) return { intervalSeconds: config.intervalSeconds };
  if (config.cron !== undefined) return { cron: config.cron };
  return { once: true };
}
