import type { IncomingMessage, ServerResponse } from "node:http";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { MeterProvider } from "@opentelemetry/sdk-metrics";

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

export function createRunnerMetrics(): RunnerMetrics {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ readers: [exporter] });
  return {
    meterProvider,
    handle: (request, response) => exporter.getMetricsRequestHandler(request, response),
    shutdown: () => meterProvider.shutdown(),
  };
}
