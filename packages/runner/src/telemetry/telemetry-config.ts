import { z } from "zod";

/**
 * The pipeline file's `telemetry:` block. Every setting has a standard OTEL_* variable, and the
 * variable wins: the block is the deployment's default, an operator overrides it per environment
 * without editing the file (the OpenTelemetry SDKs' own rule for env vs. code is the same).
 */
export const telemetryConfigSchema = z.strictObject({
  /** service.name (OTEL_SERVICE_NAME wins). Default: the binary's name. */
  serviceName: z.string().min(1).optional(),
  /** Extra resource attributes (OTEL_RESOURCE_ATTRIBUTES wins key by key). */
  resourceAttributes: z.record(z.string().min(1), z.string()).optional(),
  traces: z
    .strictObject({
      /**
       * OTLP/HTTP base URL, e.g. http://collector:4318 (spans go to <endpoint>/v1/traces).
       * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT win.
       */
      endpoint: z.url().optional(),
      /** Share of new traces kept, 0..1 (parent-based). OTEL_TRACES_SAMPLER wins. Default 1. */
      sampleRatio: z.number().min(0).max(1).optional(),
    })
    .optional(),
  metrics: z
    .strictObject({
      /**
       * Also push metrics over OTLP/HTTP to this base URL (<endpoint>/v1/metrics), beside /metrics.
       * OTEL_METRICS_EXPORTER=otlp with OTEL_EXPORTER_OTLP_(METRICS_)ENDPOINT does the same.
       */
      endpoint: z.url().optional(),
      /** Push interval (OTEL_METRIC_EXPORT_INTERVAL, in ms, wins). Default 60. */
      exportIntervalSeconds: z.number().positive().optional(),
    })
    .optional(),
});

export type TelemetryConfig = z.output<typeof telemetryConfigSchema>;

type Env = Readonly<Record<string, string | undefined>>;

/** What the process reports as: the binary's defaults, under the file's and the environment's. */
export interface ServiceIdentity {
  readonly name: string;
  readonly version: string;
}

/** The effective telemetry settings, the environment applied over the file. */
export interface TelemetrySettings {
  readonly serviceName: string;
  readonly serviceVersion: string;
  readonly resourceAttributes: Readonly<Record<string, string>>;
  /** Whether spans are exported at all (no SDK is loaded when not). */
  readonly tracing: boolean;
  /** OTEL_* variables the file supplies because the environment leaves them unset. */
  readonly envDefaults: Readonly<Record<string, string>>;
  /** Push metrics over OTLP too. */
  readonly metricsOtlp: { readonly url: string; readonly intervalMs: number } | undefined;
}

const set = (env: Env, name: string): boolean => (env[name] ?? "").trim() !== "";
const base = (url: string): string => url.replace(/\/+$/, "");

export function resolveTelemetry(
  config: TelemetryConfig | undefined,
  env: Env,
  service: ServiceIdentity,
): TelemetrySettings {
  const envDefaults: Record<string, string> = {};
  const disabled = env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true";

  const tracesEndpoint = config?.traces?.endpoint;
  if (
    tracesEndpoint &&
    !set(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") &&
    !set(env, "OTEL_EXPORTER_OTLP_ENDPOINT")
  )
    envDefaults.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `${base(tracesEndpoint)}/v1/traces`;
  const ratio = config?.traces?.sampleRatio;
  if (ratio !== undefined && !set(env, "OTEL_TRACES_SAMPLER")) {
    envDefaults.OTEL_TRACES_SAMPLER = "parentbased_traceidratio";
    envDefaults.OTEL_TRACES_SAMPLER_ARG = String(ratio);
  }
  const exporters = (env.OTEL_TRACES_EXPORTER ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  // The SDK would default to localhost:4318 with nothing configured; we only start it when asked.
  const tracing =
    !disabled &&
    !exporters.includes("none") &&
    (exporters.length > 0 ||
      set(env, "OTEL_EXPORTER_OTLP_ENDPOINT") ||
      set(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") ||
      tracesEndpoint !== undefined);

  return {
    serviceName: env.OTEL_SERVICE_NAME?.trim() || config?.serviceName || service.name,
    serviceVersion: service.version,
    resourceAttributes: config?.resourceAttributes ?? {},
    tracing,
    envDefaults,
    metricsOtlp: disabled ? undefined : metricsPush(config, env),
  };
}

/** Metrics are pushed when OTEL_METRICS_EXPORTER names otlp or the file gives an endpoint. */
function metricsPush(config: TelemetryConfig | undefined, env: Env): TelemetrySettings["metricsOtlp"] {
  const exporters = (env.OTEL_METRICS_EXPORTER ?? "").split(",").map((s) => s.trim());
  const fileEndpoint = config?.metrics?.endpoint;
  if (exporters.includes("none") || (!exporters.includes("otlp") && !fileEndpoint)) return undefined;
  const generic = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const url =
    env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT?.trim() ||
    (generic ? `${base(generic)}/v1/metrics` : undefined) ||
    (fileEndpoint ? `${base(fileEndpoint)}/v1/metrics` : "http://localhost:4318/v1/metrics");
  const fromEnv = Number(env.OTEL_METRIC_EXPORT_INTERVAL);
  const intervalMs = fromEnv > 0 ? fromEnv : (config?.metrics?.exportIntervalSeconds ?? 60) * 1000;
  return { url, intervalMs };
}
