import type { Message } from "../contracts/message.js";
import type { Origin } from "./ack-tracking.js";
import type { SinkRunner } from "./sink-runner.js";

/** Output messages waiting to go to the sinks, with the source message each one answers for. */
export interface Segment {
  messages: Message[];
  origins: Origin[];
}

export const newSegment = (): Segment => ({ messages: [], origins: [] });

/** Every output goes to every sink; this is where the per-sink outcomes are gathered for the reports. */
export class SinkFanOut {
  /** Per sink, messages still pending when a stop gave up waiting (abandoned, hence undelivered). */
  private readonly abandonedBySink = new Map<string, number>();

  constructor(
    private readonly runners: readonly SinkRunner[],
    private readonly ledger: { readonly closed: boolean },
  ) {}

  get sinkCount(): number {
    return this.runners.length;
  }

  emit(segment: Segment): void {
    if (segment.messages.length === 0 || this.ledger.closed) return;
    for (const runner of this.runners) runner.enqueue(segment.messages, segment.origins);
  }

  endInput(): void {
    for (const runner of this.runners) runner.endInput();
  }

  dropUnstarted(): void {
    for (const runner of this.runners) runner.dropUnstarted();
  }

  dispose(): void {
    for (const runner of this.runners) runner.dispose();
  }

  abandonPending(): void {
    for (const runner of this.runners) {
      if (runner.pendingMessages > 0) this.abandonedBySink.set(runner.id, runner.pendingMessages);
    }
  }

  sentBySink(): Record<string, number> {
    return Object.fromEntries(this.runners.map((r) => [r.id, r.counts.sent]));
  }

  retries(): number {
    let retries = 0;
    for (const runner of this.runners) retries += runner.counts.retries;
    return retries;
  }

  unsentBySink(): Record<string, number> {
    return Object.fromEntries(this.runners.map((r) => [r.id, r.counts.unsent]));
  }

  undeliveredBySink(): Record<string, number> {
    return Object.fromEntries(
      this.runners.map((r) => [r.id, r.counts.undelivered + (this.abandonedBySink.get(r.id) ?? 0)]),
    );
  }
}
