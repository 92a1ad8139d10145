import type {
  Attributes,
  Counter,
  Histogram,
  Meter,
  ObservableGauge,
  ObservableResult,
} from "@opentelemetry/api";
import type { CycleReport } from "../engine/reports.js";
import { cycleOutcome, failureReason } from "./cycle-trace.js";

/**
 * What an operator watches per pipeline: when a cycle last succeeded, how long cycles take, why
 * they fail, and how old the last checkpoint is. Recorded once per cycle or commit.
 */
export class CycleMetrics {
  private readonly attrs: Attributes;
  private readonly duration: Histogram;
  private readonly cycles: Counter;
  private readonly failed: Counter;
  private readonly lastSuccess: ObservableGauge;
  private readonly checkpointAge: ObservableGauge;
  private readonly observeLastSuccess: (result: ObservableResult) => void;
  private readonly observeCheckpointAge: (result: ObservableResult) => void;
  private lastSuccessAt: number | undefined;
  private lastCommitAt: number | undefined;

  constructor(meter: Meter, pipelineId: string) {
    this.attrs = { pipeline_id: pipelineId };
    this.duration = meter.createHistogram("pipekit_pipeline_cycle_duration_seconds", {
      description: "Wall time of a cycle, by outcome",
      unit: "s",
      advice: { explicitBucketBoundaries: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600] },
    });
    this.cycles = meter.createCounter("pipekit_pipeline_cycles_total", {
      description: "Cycles run, by outcome (success, sink_unavailable, drain_timeout, fatal, source_error)",
    });
    this.failed = meter.createCounter("pipekit_pipeline_cycles_failed_total", {
      description: "Cycles that did not deliver everything they read, by reason",
    });
    this.lastSuccess = meter.createObservableGauge("pipekit_pipeline_last_success_timestamp_seconds", {
      description: "Unix time at which the last fully delivered cycle ended",
      unit: "s",
    });
    this.checkpointAge = meter.createObservableGauge("pipekit_pipeline_checkpoint_age_seconds", {
      description: "Seconds since the last checkpoint commit was durable",
      unit: "s",
    });
    this.observeLastSuccess = (result) => {
      if (this.lastSuccessAt !== undefined) result.observe(this.lastSuccessAt / 1000, this.attrs);
    };
    this.observeCheckpointAge = (result) => {
      if (this.lastCommitAt !== undefined)
        result.observe((Date.now() - this.lastCommitAt) / 1000, this.attrs);
    };
    this.lastSuccess.addCallback(this.observeLastSuccess);
    this.checkpointAge.addCallback(this.observeCheckpointAge);
  }

  cycleFinished(report: CycleReport): void {
    this.record(cycleOutcome(report), report.durationMs);
  }

  cycleFailed(error: unknown, durationMs: number): void {
    this.record(failureReason(error), durationMs);
  }

  checkpointCommitted(): void {
    this.lastCommitAt = Date.now();
  }

  dispose(): void {
    this.lastSuccess.removeCallback(this.observeLastSuccess);
    this.checkpointAge.removeCallback(this.observeCheckpointAge);
  }

  private record(outcome: string, durationMs: number): void {
    const attrs = { ...this.attrs, outcome };
    this.duration.record(durationMs / 1000, attrs);
    this.cycles.add(1, attrs);
    if (outcome === "success") this.lastSuccessAt = Date.now();
    else this.failed.add(1, { ...this.attrs, reason: outcome });
  }
}
