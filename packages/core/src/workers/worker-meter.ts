import type { Attributes, Meter } from "@opentelemetry/api";
import type { InstrumentRecord } from "./worker-protocol.js";

/**
 * A Meter for transforms inside a worker thread: what they record is summed here and reported with
 * each batch's results, then recorded on the main thread's meter (where the exporters are).
 * Observable instruments and gauges record nothing: a worker has no collection cycle of its own.
 */
export class CollectingMeter {
  private readonly pending = new Map<string, InstrumentRecord & { values: number[] }>();

  readonly meter: Meter = {
    createCounter: (name: string, options?: InstrumentOptions) => this.instrument("counter", name, options),
    createUpDownCounter: (name: string, options?: InstrumentOptions) =>
      this.instrument("upDownCounter", name, options),
    createHistogram: (name: string, options?: InstrumentOptions) =>
      this.instrument("histogram", name, options),
    createGauge: () => ({ record() {} }),
    createObservableGauge: () => observable,
    createObservableCounter: () => observable,
    createObservableUpDownCounter: () => observable,
    addBatchObservableCallback() {},
    removeBatchObservableCallback() {},
  } as unknown as Meter;

  /** What was recorded since the last call. */
  take(): InstrumentRecord[] {
    const records = [...this.pending.values()];
    this.pending.clear();
    return records;
  }

  private instrument(kind: InstrumentRecord["kind"], name: string, options: InstrumentOptions | undefined) {
    const record = (value: number, attributes: Attributes = {}) => {
      const attrs = plainAttributes(attributes);
      const key = `${kind}\u0000${name}\u0000${JSON.stringify(attrs)}`;
      let entry = this.pending.get(key);
      if (entry === undefined) {
        entry = {
          kind,
          name,
          ...(options?.description ? { description: options.description } : {}),
          ...(options?.unit ? { unit: options.unit } : {}),
          attributes: attrs,
          values: kind === "histogram" ? [] : [0],
        };
        this.pending.set(key, entry);
      }
      if (kind === "histogram") entry.values.push(value);
      else entry.values[0]! += value;
    };
    return { add: record, record };
  }
}

interface InstrumentOptions {
  readonly description?: string;
  readonly unit?: string;
}

const observable = { addCallback() {}, removeCallback() {} };

function plainAttributes(attributes: Attributes): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      out[key] = value;
  }
  return out;
}
