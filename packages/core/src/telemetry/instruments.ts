import type { Counter, Gauge, Histogram, Meter, MetricOptions, ObservableGauge } from "@opentelemetry/api";

/** The instrument each kind of spec creates. */
interface InstrumentByKind {
  counter: Counter;
  histogram: Histogram;
  gauge: Gauge;
  observableGauge: ObservableGauge;
}

export type InstrumentKind = keyof InstrumentByKind;

/** One instrument, written as data: its kind, its metric name and the OpenTelemetry options. */
export interface InstrumentSpec extends MetricOptions {
  readonly kind: InstrumentKind;
  readonly name: string;
}

/** The instruments a table of specs creates, under the table's keys. */
export type Instruments<Specs extends Record<string, InstrumentSpec>> = {
  readonly [Key in keyof Specs]: InstrumentByKind[Specs[Key]["kind"]];
};

const creators: {
  readonly [Kind in InstrumentKind]: (
    meter: Meter,
    name: string,
    options: MetricOptions,
  ) => InstrumentByKind[Kind];
} = {
  counter: (meter, name, options) => meter.createCounter(name, options),
  histogram: (meter, name, options) => meter.createHistogram(name, options),
  gauge: (meter, name, options) => meter.createGauge(name, options),
  observableGauge: (meter, name, options) => meter.createObservableGauge(name, options),
};

/**
 * Creates every instrument of a table of specs, in the table's order. Components declare their
 * metrics as one table so names and descriptions are read in one place, not in a column of
 * same-shape create calls.
 */
export function createInstruments<const Specs extends Record<string, InstrumentSpec>>(
  meter: Meter,
  specs: Specs,
): Instruments<Specs> {
  const instruments: Record<string, InstrumentByKind[InstrumentKind]> = {};
  for (const [key, { kind, name, ...options }] of Object.entries(specs)) {
    instruments[key] = creators[kind](meter, name, options);
  }
  return instruments as Instruments<Specs>;
}
