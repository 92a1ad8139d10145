import type { IncomingMessage, ServerResponse } from "node:http";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import type { Resource } from "@opentelemetry/resources";
import { type IMetricReader, MeterProvider } from "@opentelemetry/sdk-metrics";

/**
 * The OTel SDK side of telemetry: components record through @opentelemetry/api; this provider
 * collects and the Prometheus exporter renders on request. The exporter's own server is not
 * started: its handler is mounted on the runner's HTTP server, so there is a single port.
 */
export interface RunnerMetrics {
  readonly meterProvider: MeterProvider;
  handle(request: IncomingMessage, response: ServerResponse): void;
  shutdown(): Promise<void>;
}

export interface RunnerMetricsOptions {
  /** service.name/version and the rest (target_info on /metrics). */
  readonly resource?: Resource;
  /** More readers beside /metrics, e.g. an OTLP push. */
  readonly readers?: readonly IMetricReader[];
}

export function createRunnerMetrics(options: RunnerMetricsOptions = {}): RunnerMetrics {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({
    readers: [exporter, ...(options.readers ?? [])],
    ...(options.resource ? { resource: options.resource } : {}),
  });
  let stopping: Promise<void> | undefined;
  return {
    meterProvider,
    handle: (request, response) => exporter.getMetricsRequestHandler(request, response),
    shutdown: () => {
      stopping ??= meterProvider.shutdown();
      return stopping;
    },
  };
}
