import type { MeterProvider } from "@opentelemetry/api";
import { HostMetrics } from "@opentelemetry/host-metrics";
import { RuntimeNodeInstrumentation } from "@opentelemetry/instrumentation-runtime-node";

/**
 * Process and Node runtime metrics on the runner's provider: event-loop delay and utilisation,
 * V8 heap and GC durations (instrumentation-runtime-node), process CPU and memory (host-metrics,
 * process groups only: the host's own metrics belong to a node exporter, not to every pipeline).
 */
export function startRuntimeMetrics(meterProvider: MeterProvider): { stop(): void } {
  const runtime = new RuntimeNodeInstrumentation({ monitoringPrecision: 50 });
  runtime.setMeterProvider(meterProvider);
  runtime.enable();
  new HostMetrics({
    meterProvider,
    name: "@pipekit/runner",
    metricGroups: ["process.cpu", "process.memory"],
  }).start();
  return { stop: () => runtime.disable() };
}
