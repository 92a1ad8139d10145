import type { CheckpointCommitter } from "./checkpoint-committer.js";
import type { AckLedger } from "./delivery.js";
import type { ErrorSummaries } from "./error-summary.js";
import type { SinkFanOut } from "./fan-out.js";
import type { CycleReport } from "./reports.js";
import type { SourceReader } from "./source-reader.js";

export interface CycleOutcome {
  readonly pipelineId: string;
  /** Epoch ms at which the cycle started. */
  readonly started: number;
  readonly reader: SourceReader;
  readonly ledger: AckLedger;
  readonly fanOut: SinkFanOut;
  readonly committer: CheckpointCommitter;
  readonly errors: ErrorSummaries;
  readonly stopped: boolean;
  readonly deadlineReached: boolean;
  readonly abandoned: number;
}

export function cycleReport(outcome: CycleOutcome): CycleReport {
  const { reader, ledger, fanOut } = outcome;
  return {
    pipeline: outcome.pipelineId,
    received: reader.received,
    receivedBytes: reader.receivedBytes,
    sent: fanOut.sentBySink(),
    deadLettered: ledger.deadLettered,
    retries: fanOut.retries(),
    checkpoints: outcome.committer.stats,
    durationMs: Date.now() - outcome.started,
    errors: outcome.errors.list(),
    stopped: outcome.stopped,
    deadlineReached: outcome.deadlineReached,
    undelivered: fanOut.undeliveredBySink(),
    unsent: fanOut.unsentBySink(),
    unacknowledged: ledger.unacknowledged,
    abandoned: outcome.abandoned,
  };
}
