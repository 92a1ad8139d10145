import type { Attributes, Meter, ObservableResult } from "@opentelemetry/api";
import type { CycleReport } from "../engine/reports.js";
import { cycleOutcome, failureReason } from "./cycle-trace.js";
import { createInstruments, type InstrumentSpec, type Instruments } from "./instruments.js";

/** What an operator watches per pipeline (names are read by the Grafana dashboard and tests). */
const cycleInstruments = {
  duration: {
    kind: "histogram",
    name: "pipekit_pipeline_cycle_duration_seconds",
    description: "Wall time of a cycle, by outcome",
    unit: "s",
    advice: { explicitBucketBoundaries: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600] },
  },
  cycles: {
    kind: "counter",
    name: "pipekit_pipeline_cycles_total",
    description: "Cycles run, by outcome (success, sink_unavailable, drain_timeout, fatal, source_error)",
  },
  failed: {
    kind: "counter",
    name: "pipekit_pipeline_cycles_failed_total",
    description: "Cycles that did not deliver everything they read, by reason",
  },
  lastSuccess: {
    kind: "observableGauge",
    name: "pipekit_pipeline_last_success_timestamp_seconds",
    description: "Unix time at which the last fully delivered cycle ended",
    unit: "s",
  },
  checkpointAge: {
    kind: "observableGauge",
    name: "pipekit_pipeline_checkpoint_age_seconds",
    description: "Seconds since the last checkpoint commit was durable",
    unit: "s",
  },
} satisfies Record<string, InstrumentSpec>;

/**
 * When a cycle last succeeded, how long cycles take, why they fail, and how old the last
 * checkpoint is. Recorded once per cycle or commit.
 */
export class CycleMetrics {
  private readonly attrs: Attributes;
  private readonly instruments: Instruments<typeof cycleInstruments>;
  private readonly observeLastSuccess: (result: ObservableResult) => void;
  private readonly observeCheckpointAge: (result: ObservableResult) => void;
  private lastSuccessAt: number | undefined;
  private lastCommitAt: number | undefined;

  constructor(meter: Meter, pipelineId: string) {
    this.attrs = { pipeline_id: pipelineId };
    this.instruments = createInstruments(meter, cycleInstruments);
    this.observeLastSuccess = (result) => {
      if (this.lastSuccessAt !== undefined) result.observe(this.lastSuccessAt / 1000, this.attrs);
    };
    this.observeCheckpointAge = (result) => {
      if (this.lastCommitAt !== undefined)
        result.observe((Date.now() - this.lastCommitAt) / 1000, this.attrs);
    };
    this.instruments.lastSuccess.addCallback(this.observeLastSuccess);
    this.instruments.checkpointAge.addCallback(this.observeCheckpointAge);
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
    this.instruments.lastSuccess.removeCallback(this.observeLastSuccess);
    this.instruments.checkpointAge.removeCallback(this.observeCheckpointAge);
  }

  private record(outcome: string, durationMs: number): void {
    const attrs = { ...this.attrs, outcome };
    this.instruments.duration.record(durationMs / 1000, attrs);
    this.instruments.cycles.add(1, attrs);
    if (outcome === "success") this.lastSuccessAt = Date.now();
    else this.instruments.failed.add(1, { ...this.attrs, reason: outcome });
  }
}
