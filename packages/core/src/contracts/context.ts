import type { Meter, Tracer } from "@opentelemetry/api";

/** Minimal structured logger (pino-compatible): object first, message second. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** What every component gets when it is opened. */
export interface ComponentContext {
  /** The component's id in the pipeline (e.g. "databricks" or "sinks.akto"). */
  readonly componentId: string;
  readonly logger: Logger;
  readonly meter: Meter;
  readonly tracer: Tracer;
  /** Aborted when the pipeline is stopping: long waits should give up. */
  readonly signal: AbortSignal;
}

export type HealthStatus =
  | { readonly ok: true; readonly detail?: string }
  | { readonly ok: false; readonly detail: string };
