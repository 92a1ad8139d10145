import type { Attributes, Meter, ObservableResult } from "@opentelemetry/api";
import { createInstruments, type InstrumentSpec, type Instruments } from "./instruments.js";

/** The three attributes every pipekit metric carries (Vector's naming). */
export interface ComponentAttributes extends Attributes {
  component_id: string;
  component_kind: string;
  component_type: string;
}

/** Why a message went to the dead letters: the `reason` label of component_dead_letters_total. */
export type DeadLetterReason = "rejected_by_source" | "transform_failed" | "refused_by_sink";

/** The instruments of one pipeline (names follow Vector's; dashboards and tests read them). */
const pipelineInstruments = {
  receivedEvents: {
    kind: "counter",
    name: "component_received_events_total",
    description: "Events a component received",
  },
  receivedBytes: {
    kind: "counter",
    name: "component_received_event_bytes_total",
    description: "Bytes of events a component received",
    unit: "By",
  },
  sentEvents: {
    kind: "counter",
    name: "component_sent_events_total",
    description: "Events a component passed on (sinks: durably accepted by the destination)",
  },
  sentBytes: {
    kind: "counter",
    name: "component_sent_event_bytes_total",
    description: "Bytes of events a component passed on",
    unit: "By",
  },
  errors: { kind: "counter", name: "component_errors_total", description: "Errors by stage and error class" },
  retries: { kind: "counter", name: "component_retries_total", description: "Batch write retries" },
  deadLetters: {
    kind: "counter",
    name: "component_dead_letters_total",
    description:
      "Events sent to the dead-letter sink, by reason (rejected_by_source, transform_failed, refused_by_sink)",
  },
  batchSize: {
    kind: "histogram",
    name: "component_batch_size_events",
    description: "Events per sink batch",
    advice: { explicitBucketBoundaries: [1, 5, 10, 50, 100, 250, 500, 1000, 5000] },
  },
  batchBytes: {
    kind: "histogram",
    name: "component_batch_size_bytes",
    description: "Bytes per sink batch",
    unit: "By",
  },
  inFlightEvents: {
    kind: "observableGauge",
    name: "component_in_flight_events",
    description: "Events read from the source and not yet acknowledged",
  },
  inFlightBytes: {
    kind: "observableGauge",
    name: "component_in_flight_event_bytes",
    description: "Bytes of events read from the source and not yet acknowledged",
    unit: "By",
  },
} satisfies Record<string, InstrumentSpec>;

/**
 * The instruments of one pipeline. Counters are added per chunk or per batch, never per message,
 * so telemetry stays off the hot path.
 */
export class PipelineMetrics {
  private readonly instruments: Instruments<typeof pipelineInstruments>;
  private readonly observeEvents: (result: ObservableResult) => void;
  private readonly observeBytes: (result: ObservableResult) => void;

  constructor(
    meter: Meter,
    pipelineAttributes: ComponentAttributes,
    inFlight: () => { messages: number; bytes: number },
  ) {
    this.instruments = createInstruments(meter, pipelineInstruments);
    this.observeEvents = (result) => result.observe(inFlight().messages, pipelineAttributes);
    this.observeBytes = (result) => result.observe(inFlight().bytes, pipelineAttributes);
    this.instruments.inFlightEvents.addCallback(this.observeEvents);
    this.instruments.inFlightBytes.addCallback(this.observeBytes);
  }

  received(attrs: ComponentAttributes, events: number, bytes: number): void {
    if (events === 0) return;
    this.instruments.receivedEvents.add(events, attrs);
    this.instruments.receivedBytes.add(bytes, attrs);
  }

  sent(attrs: ComponentAttributes, events: number, bytes: number): void {
    if (events === 0) return;
    this.instruments.sentEvents.add(events, attrs);
    this.instruments.sentBytes.add(bytes, attrs);
  }

  error(attrs: ComponentAttributes, stage: string, errorClass: string, count = 1): void {
    this.instruments.errors.add(count, { ...attrs, stage, error_class: errorClass });
  }

  retry(attrs: ComponentAttributes): void {
    this.instruments.retries.add(1, attrs);
  }

  deadLettered(attrs: ComponentAttributes, events: number, reason: DeadLetterReason): void {
    this.instruments.deadLetters.add(events, { ...attrs, reason });
  }

  batch(attrs: ComponentAttributes, events: number, bytes: number): void {
    this.instruments.batchSize.record(events, attrs);
    this.instruments.batchBytes.record(bytes, attrs);
  }

  /** Unhook the gauges so a closed pipeline is not kept alive (or reported) by the meter. */
  dispose(): void {
    this.instruments.inFlightEvents.removeCallback(this.observeEvents);
    this.instruments.inFlightBytes.removeCallback(this.observeBytes);
  }
}
