import type {
  Attributes,
  Counter,
  Histogram,
  Meter,
  ObservableGauge,
  ObservableResult,
} from "@opentelemetry/api";

/** The three attributes every pipekit metric carries (Vector's naming). */
export interface ComponentAttributes extends Attributes {
  component_id: string;
  component_kind: string;
  component_type: string;
}

/** Why a message went to the dead letters: the `reason` label of component_dead_letters_total. */
export type DeadLetterReason = "rejected_by_source" | "transform_failed" | "refused_by_sink";

/**
 * The instruments of one pipeline. Counters are added per chunk or per batch, never per message,
 * so telemetry stays off the hot path.
 */
export class PipelineMetrics {
  private readonly receivedEvents: Counter;
  private readonly receivedBytes: Counter;
  private readonly sentEvents: Counter;
  private readonly sentBytes: Counter;
  private readonly errors: Counter;
  private readonly retries: Counter;
  private readonly deadLetters: Counter;
  private readonly batchSize: Histogram;
  private readonly batchBytes: Histogram;
  private readonly inFlightEvents: ObservableGauge;
  private readonly inFlightBytes: ObservableGauge;
  private readonly observeEvents: (result: ObservableResult) => void;
  private readonly observeBytes: (result: ObservableResult) => void;

  constructor(
    meter: Meter,
    pipelineAttributes: ComponentAttributes,
    inFlight: () => { messages: number; bytes: number },
  ) {
    this.receivedEvents = meter.createCounter("component_received_events_total", {
      description: "Events a component received",
    });
    this.receivedBytes = meter.createCounter("component_received_event_bytes_total", {
      description: "Bytes of events a component received",
      unit: "By",
    });
    this.sentEvents = meter.createCounter("component_sent_events_total", {
      description: "Events a component passed on (sinks: durably accepted by the destination)",
    });
    this.sentBytes = meter.createCounter("component_sent_event_bytes_total", {
      description: "Bytes of events a component passed on",
      unit: "By",
    });
    this.errors = meter.createCounter("component_errors_total", {
      description: "Errors by stage and error class",
    });
    this.retries = meter.createCounter("component_retries_total", { description: "Batch write retries" });
    this.deadLetters = meter.createCounter("component_dead_letters_total", {
      description:
        "Events sent to the dead-letter sink, by reason (rejected_by_source, transform_failed, refused_by_sink)",
    });
    this.batchSize = meter.createHistogram("component_batch_size_events", {
      description: "Events per sink batch",
      advice: { explicitBucketBoundaries: [1, 5, 10, 50, 100, 250, 500, 1000, 5000] },
    });
    this.batchBytes = meter.createHistogram("component_batch_size_bytes", {
      description: "Bytes per sink batch",
      unit: "By",
    });
    this.inFlightEvents = meter.createObservableGauge("component_in_flight_events", {
      description: "Events read from the source and not yet acknowledged",
    });
    this.inFlightBytes = meter.createObservableGauge("component_in_flight_event_bytes", {
      description: "Bytes of events read from the source and not yet acknowledged",
      unit: "By",
    });
    this.observeEvents = (result) => result.observe(inFlight().messages, pipelineAttributes);
    this.observeBytes = (result) => result.observe(inFlight().bytes, pipelineAttributes);
    this.inFlightEvents.addCallback(this.observeEvents);
    this.inFlightBytes.addCallback(this.observeBytes);
  }

  received(attrs: ComponentAttributes, events: number, bytes: number): void {
    if (events === 0) return;
    this.receivedEvents.add(events, attrs);
    this.receivedBytes.add(bytes, attrs);
  }

  sent(attrs: ComponentAttributes, events: number, bytes: number): void {
    if (events === 0) return;
    this.sentEvents.add(events, attrs);
    this.sentBytes.add(bytes, attrs);
  }

  error(attrs: ComponentAttributes, stage: string, errorClass: string, count = 1): void {
    this.errors.add(count, { ...attrs, stage, error_class: errorClass });
  }

  retry(attrs: ComponentAttributes): void {
    this.retries.add(1, attrs);
  }

  deadLettered(attrs: ComponentAttributes, events: number, reason: DeadLetterReason): void {
    this.deadLetters.add(events, { ...attrs, reason });
  }

  batch(attrs: ComponentAttributes, events: number, bytes: number): void {
    this.batchSize.record(events, attrs);
    this.batchBytes.record(bytes, attrs);
  }

  /** Unhook the gauges so a closed pipeline is not kept alive (or reported) by the meter. */
  dispose(): void {
    this.inFlightEvents.removeCallback(this.observeEvents);
    this.inFlightBytes.removeCallback(this.observeBytes);
  }
}
