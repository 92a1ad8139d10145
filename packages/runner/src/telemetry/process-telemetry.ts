import { createRequire } from "node:module";
import type { IMetricReader } from "@opentelemetry/sdk-metrics";
import { createRunnerMetrics, type RunnerMetrics } from "../service/metrics.js";
import { telemetryResource } from "./resource.js";
import {
  resolveTelemetry,
  type ServiceIdentity,
  type TelemetryConfig,
  type TelemetrySettings,
} from "./telemetry-config.js";
import { startTracing, type Tracing } from "./tracing.js";

/** A run's telemetry: the metrics the service serves, the trace SDK, one shutdown for both. */
export interface ProcessTelemetry {
  readonly settings: TelemetrySettings;
  readonly metrics: RunnerMetrics;
  readonly tracing: Tracing;
  /** Exports what is buffered (spans, a last metrics push) and stops; safe to call twice. */
  shutdown(): Promise<void>;
}

// src/telemetry and dist/telemetry are both two levels below the package's root.
const runnerPackage = createRequire(import.meta.url)("../../package.json") as { version: string };

/** How `pipeline run` reports itself; binaries built on the runner pass their own. */
export const RUNNER_SERVICE: ServiceIdentity = { name: "pipekit-pipeline", version: runnerPackage.version };

export interface ProcessTelemetryOptions {
  readonly service?: ServiceIdentity;
  /** /metrics is served: process and runtime metrics are worth collecting (also with an OTLP push). */
  readonly served?: boolean;
}

export async function startProcessTelemetry(
  config: TelemetryConfig | undefined,
  env: Readonly<Record<string, string | undefined>>,
  options: ProcessTelemetryOptions = {},
): Promise<ProcessTelemetry> {
  const settings = resolveTelemetry(config, env, options.service ?? RUNNER_SERVICE);
  const resource = telemetryResource(settings);
  const readers: IMetricReader[] = [];
  if (settings.metricsOtlp) {
    const [{ OTLPMetricExporter }, { PeriodicExportingMetricReader }] = await Promise.all([
      import("@opentelemetry/exporter-metrics-otlp-proto"),
      import("@opentelemetry/sdk-metrics"),
    ]);
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: settings.metricsOtlp.url }),
        exportIntervalMillis: settings.metricsOtlp.intervalMs,
      }),
    );
  }
  const metrics = createRunnerMetrics({ resource, readers });
  // Nobody could read them in a -once run without a port or a push: not even loaded then.
  const runtime =
    options.served || settings.metricsOtlp
      ? (await import("./runtime-metrics.js")).startRuntimeMetrics(metrics.meterProvider)
      : undefined;
  const tracing = await startTracing(settings, resource);
  let stopping: Promise<void> | undefined;
  return {
    settings,
    metrics,
    tracing,
    shutdown: () => {
      stopping ??= (async () => {
        runtime?.stop();
        await Promise.allSettled([tracing.shutdown(), metrics.shutdown()]);
      })();
      return stopping;
    },
  };
}
