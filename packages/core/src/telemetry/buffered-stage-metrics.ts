import type { Attributes } from "@opentelemetry/api";
import type { ComponentAttributes, PipelineMetrics } from "./pipeline-metrics.js";

/** Messages and their bytes since the last flush, and the messages of the whole cycle. */
class MessageTally {
  events = 0;
  bytes = 0;
  /** This cycle's messages, for the stage's summary span. */
  cycleEvents = 0;

  count(sizeBytes: number): void {
    this.events++;
    this.bytes += sizeBytes;
  }

  /** After the counts since the last flush went to the counters. */
  flushed(): void {
    this.cycleEvents += this.events;
    this.events = 0;
    this.bytes = 0;
  }
}

/**
 * One transform stage's received and sent counts since the last flush. A stage sees every message,
 * so it counts into plain fields and adds them to the counters once per chunk.
 */
export class BufferedStageMetrics {
  readonly received = new MessageTally();
  readonly sent = new MessageTally();

  constructor(private readonly attrs: ComponentAttributes) {}

  flushTo(metrics: PipelineMetrics): void {
    metrics.received(this.attrs, this.received.events, this.received.bytes);
    metrics.sent(this.attrs, this.sent.events, this.sent.bytes);
    this.received.flushed();
    this.sent.flushed();
  }

  /** The stage's attributes and cycle totals, for its summary span. */
  summary(): Attributes {
    return {
      ...this.attrs,
      "pipekit.events.received": this.received.cycleEvents,
      "pipekit.events.sent": this.sent.cycleEvents,
    };
  }
}
