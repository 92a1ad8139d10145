import type { CommitStats } from "./checkpoint-committer.js";

/** A non-fatal failure kind seen during a cycle, with how often it happened. */
export interface ErrorSummary {
  readonly stage: "source" | "transform" | "sink";
  readonly component: string;
  /** "poison", "retryable" (source errors), "exhausted" (retries used up) or "transform". */
  readonly errorClass: string;
  readonly message: string;
  count: number;
}

export interface CycleReport {
  readonly pipeline: string;
  /** Messages read from the source (and their bytes). */
  readonly received: number;
  readonly receivedBytes: number;
  /** Messages each sink durably accepted, by sink id. */
  readonly sent: Readonly<Record<string, number>>;
  readonly deadLettered: number;
  readonly retries: number;
  /** Checkpoint writes of this cycle: counts only, a position can be as large as a table's state. */
  readonly checkpoints: CommitStats;
  readonly durationMs: number;
  /** At most 100 distinct kinds; `count` says how many times each occurred. */
  readonly errors: readonly ErrorSummary[];
  /** True if the cycle ended because `stop()` was called. */
  readonly stopped: boolean;
  /** True if the cycle's deadline (a one-shot run's time limit) stopped it reading. */
  readonly deadlineReached: boolean;
  /**
   * Per sink id, messages the sink could not deliver in this cycle: retries ran out for a retryable
   * reason (connection refused, 5xx, 429, timeout), the deadline or a stop came first. They are NOT
   * dead-lettered: they stay unacknowledged, no checkpoint passes them, and a later cycle sends them again.
   */
  readonly undelivered: Readonly<Record<string, number>>;
  /**
   * Per sink id, messages read but not sent because the deadline came first (batches not yet
   * started when it did): left for the next cycle like `undelivered`, but no sign of a problem.
   */
  readonly unsent: Readonly<Record<string, number>>;
  /** Source messages left unacknowledged (undelivered or unsent): the next cycle reads them again. */
  readonly unacknowledged: number;
  /** Source messages neither acknowledged nor dead-lettered when a stop gave up waiting. */
  readonly abandoned: number;
}

export interface StopReport {
  /** True when all in-flight work finished before the timeout. */
  readonly drained: boolean;
  readonly abandonedMessages: number;
  readonly abandonedBytes: number;
  /** Per sink id, messages not delivered (left for a later cycle, as in {@link CycleReport.undelivered}). */
  readonly undelivered: Readonly<Record<string, number>>;
  readonly checkpoints: CommitStats;
  readonly durationMs: number;
}
