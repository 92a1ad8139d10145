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

  constructor(private readonly attrs: ComponentAttributes) {}

  flushTo(metrics: PipelineMetrics): void {
    metrics.received(this.attrs, this.receivedEvents, this.receivedBytes);
    metrics.sent(this.attrs, this.sentEvents, this.sentBytes);
    this.receivedEvents = 0;
    this.receivedBytes = 0;
    this.sentEvents = 0;
    this.sentBytes = 0;
  }
}
