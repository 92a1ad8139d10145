import type { WireFailure, WireMessage } from "./worker-wire.js";

/** What the main thread gives a transform worker when it starts it. */
export interface TransformWorkerData {
  /** URL (file: or a bare specifier) of the module whose `exportName` builds the transforms. */
  readonly module: string;
  readonly exportName: string;
  /** Passed to that function (structured-cloneable). */
  readonly options: unknown;
  /** The pool's component id: the workers' transforms log as `<poolId>/<transform id>`. */
  readonly poolId: string;
}

export type ToWorker =
  | { readonly type: "batch"; readonly seq: number; readonly messages: readonly WireMessage[] }
  | { readonly type: "close" };

export type MessageResult =
  | { readonly ok: true; readonly outputs: readonly WireMessage[] }
  | { readonly ok: false; readonly failure: WireFailure };

export type LogLevel = "debug" | "info" | "warn" | "error";

/** Instrument values recorded in a worker since its last report, summed per instrument and attributes. */
export interface InstrumentRecord {
  readonly kind: "counter" | "upDownCounter" | "histogram";
  readonly name: string;
  readonly description?: string;
  readonly unit?: string;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
  /** Summed for counters; every recorded value for histograms. */
  readonly values: readonly number[];
}

export type FromWorker =
  | { readonly type: "ready" }
  | { readonly type: "open-failed"; readonly name: string; readonly message: string }
  | {
      readonly type: "results";
      readonly seq: number;
      readonly results: readonly MessageResult[];
      readonly instruments: readonly InstrumentRecord[];
    }
  | {
      readonly type: "log";
      readonly level: LogLevel;
      readonly component: string;
      readonly obj: object;
      readonly msg?: string;
    }
  | { readonly type: "closed" };
