import type { Attributes } from "@opentelemetry/api";
import type { ComponentAttributes, PipelineMetrics } from "./pipeline-metrics.js";

/**
 * One transform stage's received and sent counts since the last flush. A stage sees every message,
 * so it counts into plain fields and adds them to the counters once per chunk.
 */
export class BufferedStageMetrics {
  receivedEvents = 0;
  receivedBytes = 0;
  sentEvents = 0;
  sentBytes = 0;
  /** This cycle's totals, for the stage's summary span. */
  cycleReceived = 0;
  cycleSent = 0;

  constructor(private readonly attrs: ComponentAttributes) {}

  flushTo(metrics: PipelineMetrics): void {
    this.cycleReceived += this.receivedEvents;
    this.cycleSent += this.sentEvents;
    metrics.received(this.attrs, this.receivedEvents, this.receivedBytes);
    metrics.sent(this.attrs, this.sentEvents, this.sentBytes);
    this.receivedEvents = 0;
    this.receivedBytes = 0;
    this.sentEvents = 0;
    this.sentBytes = 0;
  }

  /** The stage's attributes and cycle totals, for its summary span. */
  summary(): Attributes {
    return {
      ...this.attrs,
      "pipekit.events.received": this.cycleReceived,
      "pipekit.events.sent": this.cycleSent,
    };
  }
}
