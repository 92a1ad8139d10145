import type { Logger } from "@pipekit/core";
import type { CycleEngine, CycleSummary, DrainSummary } from "../build/engine.js";
import { EXIT_CODES } from "./exit-codes.js";
import { HttpEndpoints, type Readiness } from "./http-server.js";
import type { RunnerMetrics } from "./metrics.js";
import { CycleScheduler, type Schedule } from "./schedule.js";

export interface PipelineServiceOptions {
  readonly engine: CycleEngine;
  readonly schedule: Schedule;
  readonly logger: Logger;
  readonly readiness: Readiness;
  readonly metrics?: RunnerMetrics;
  readonly http?: { readonly port: number; readonly host?: string };
  /** How long a stop waits for in-flight messages before abandoning them (default 30 s). */
  readonly drainTimeoutMs?: number;
  /**
   * One-shot runs only: when (epoch ms) the cycle stops reading. It then drains for up to
   * `drainTimeoutMs`, commits what was delivered and leaves the rest for the next run.
   */
  readonly deadline?: number;
  /** Extra fields for the per-cycle summary log (e.g. agents and tables from the source). */
  readonly summarize?: (summary: CycleSummary) => Record<string, unknown>;
  /** Called after every cycle, e.g. by a progress display. */
  readonly onCycle?: (index: number, summary: CycleSummary | undefined, error: unknown) => void;
}

/** Records one destination did not take in a cycle; they are left for the next one, not dead-lettered. */
export interface UndeliveredRecords {
  readonly sink: string;
  readonly count: number;
  /** The last retryable error the sink saw (e.g. connection refused, HTTP 503). */
  readonly reason?: string;
}

export interface ServiceOutcome {
  /** See EXIT_CODES: 0 done, 1 failed or an incomplete drain, 3 a destination left records undelivered. */
  readonly exitCode: number;
  /** One-shot runs: the deadline stopped the cycle reading (what was not read waits for the next run). */
  readonly deadlineReached?: boolean;
  /** One-shot runs: per destination, what it could not take (empty when everything went). */
  readonly undelivered?: readonly UndeliveredRecords[];
  /** One-shot runs: records read but not yet sent when the deadline came (left for the next run). */
  readonly unsent?: number;
  readonly cycles: number;
  readonly lastSummary?: CycleSummary;
  readonly drain?: DrainSummary;
  readonly error?: unknown;
}

/**
 * The long-running side of a pipeline: opens it, serves health and metrics, runs cycles on the
 * schedule, and on `stop()` stops polling, drains in-flight messages (flush, commit checkpoints)
 * within the timeout and closes everything.
 */
export class PipelineService {
  private readonly scheduler: CycleScheduler;
  private readonly http: HttpEndpoints | undefined;
  private stopping: Promise<DrainSummary> | undefined;
  private cycles = 0;
  private lastSummary: CycleSummary | undefined;
  private failure: unknown;
  private undelivered: UndeliveredRecords[] = [];

  constructor(private readonly options: PipelineServiceOptions) {
    this.scheduler = new CycleScheduler(options.schedule, (index) => this.cycle(index), options.logger);
    this.http = options.http
      ? new HttpEndpoints({
          ...options.http,
          readiness: options.readiness,
          metrics:
            options.metrics?.handle ??
            ((_req, res) => {
              res.writeHead(404).end("metrics are not enabled");
            }),
        })
      : undefined;
  }

  /** Serves HTTP (if configured) and opens the pipeline; returns the bound port. */
  async start(): Promise<{ port?: number }> {
    const bound = await this.http?.start();
    if (bound) this.options.logger.info({ port: bound.port }, "serving /healthz, /readyz and /metrics");
    await this.options.engine.open();
    return bound ? { port: bound.port } : {};
  }

  /** Runs cycles until the schedule ends or `stop()` is called, then releases everything. */
  async run(): Promise<ServiceOutcome> {
    await this.scheduler.run();
    const drain = this.stopping ? await this.stopping : undefined;
    await this.release();
    const failed = this.failure !== undefined || (drain !== undefined && !drain.drained);
    const once = "once" in this.options.schedule;
    return {
      exitCode: failed
        ? EXIT_CODES.failed
        : once && this.undelivered.length > 0
          ? EXIT_CODES.undelivered
          : EXIT_CODES.ok,
      cycles: this.cycles,
      ...(once && this.lastSummary
        ? {
            deadlineReached: this.lastSummary.deadlineReached,
            undelivered: this.undelivered,
            unsent: Object.values(this.lastSummary.unsent).reduce((a, b) => a + b, 0),
          }
        : {}),
      ...(this.lastSummary ? { lastSummary: this.lastSummary } : {}),
      ...(drain ? { drain } : {}),
      ...(this.failure !== undefined ? { error: this.failure } : {}),
    };
  }

  /** Stop polling and drain. Safe to call more than once; later calls wait for the first. */
  stop(reason: string): Promise<DrainSummary> {
    if (!this.stopping) {
      const timeoutMs = this.options.drainTimeoutMs ?? 30_000;
      this.options.logger.info(
        { reason, drainTimeoutMs: timeoutMs },
        "stopping: no new cycles, draining in-flight messages",
      );
      this.scheduler.stop();
      this.stopping = this.options.engine.stop({ timeoutMs }).then((drain) => {
        this.options.logger.info(
          { ...drain },
          drain.drained ? "drained" : "drain timed out: some messages abandoned",
        );
        return drain;
      });
    }
    return this.stopping;
  }

  private async cycle(index: number): Promise<void> {
    const log = this.options.logger;
    try {
      const { deadline } = this.options;
      const summary = await this.options.engine.runCycle(
        deadline !== undefined && "once" in this.options.schedule
          ? { deadline, drainTimeoutMs: this.options.drainTimeoutMs ?? 30_000 }
          : undefined,
      );
      this.cycles++;
      this.lastSummary = summary;
      const sent = Object.values(summary.sent).reduce((a, b) => a + b, 0);
      log.info(
        {
          cycle: index,
          checkpointKeys: summary.checkpoints.keys,
          rows: summary.received,
          bytes: summary.receivedBytes,
          sent,
          sentBySink: summary.sent,
          deadLettered: summary.deadLettered,
          retries: summary.retries,
          errors: summary.errors.length,
          durationMs: summary.durationMs,
          stopped: summary.stopped,
          deadlineReached: summary.deadlineReached,
          undelivered: summary.undelivered,
          unsent: summary.unsent,
          ...this.options.summarize?.(summary),
        },
        "cycle summary",
      );
      for (const e of summary.errors) log.warn({ cycle: index, ...e }, "errors during cycle");
      // Bad input dead-lettered with its reason is a success. Records a destination could not take
      // (it was down) are neither dead-lettered nor committed: the next cycle sends them again, and
      // a one-shot run says so in its exit code.
      this.undelivered = undeliveredRecords(summary);
      for (const u of this.undelivered) {
        log.warn(
          { cycle: index, sink: u.sink, undelivered: u.count, reason: u.reason },
          `${u.count} record(s) not delivered to "${u.sink}" (destination unavailable): left for the next run, not dead-lettered`,
        );
      }
      if (summary.deadlineReached) {
        log.info({ cycle: index }, "stopped reading at the deadline: the rest is left for the next run");
      }
      this.options.onCycle?.(index, summary, undefined);
    } catch (error) {
      this.cycles++;
      this.options.onCycle?.(index, undefined, error);
      const fatal = (error as Error)?.name === "FatalError";
      log.error(
        { cycle: index, err: error, fatal },
        fatal ? "fatal error: stopping the pipeline" : "cycle failed",
      );
      // A fatal error or a failed one-shot run ends the service; other errors wait for the next cycle.
      if (fatal || "once" in this.options.schedule) {
        this.failure = error;
        this.scheduler.stop();
      }
    }
  }

  private async release(): Promise<void> {
    const log = this.options.logger;
    await this.options.engine
      .close({ timeoutMs: this.options.drainTimeoutMs ?? 30_000 })
      .catch((error: unknown) => log.error({ err: error }, "closing the pipeline failed"));
    await this.http?.close();
    await this.options.metrics?.shutdown().catch(() => {});
  }
}

/** Per sink, what the cycle left undelivered, with the last retryable error that sink reported. */
function undeliveredRecords(summary: CycleSummary): UndeliveredRecords[] {
  return Object.entries(summary.undelivered)
    .filter(([, count]) => count > 0)
    .map(([sink, count]) => {
      const reason = summary.errors.find(
        (e) => e.stage === "sink" && e.component === sink && e.errorClass === "exhausted",
      )?.message;
      return { sink, count, ...(reason !== undefined ? { reason } : {}) };
    });
}
