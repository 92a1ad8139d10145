import type { ContextManager } from "@opentelemetry/api";
import type { Resource } from "@opentelemetry/resources";
import type { TelemetrySettings } from "./telemetry-config.js";

/** The trace SDK of one process run; `shutdown` exports what is still buffered. */
export interface Tracing {
  readonly enabled: boolean;
  shutdown(): Promise<void>;
}

const OFF: Tracing = { enabled: false, shutdown: async () => {} };

/**
 * Starts @opentelemetry/sdk-node for traces when an exporter is configured, else nothing: the SDK
 * is imported on demand, so a run without tracing pays no load or start cost. The SDK reads its
 * OTEL_* variables itself (exporter, protocol, endpoint, headers, sampler, batch limits); the file's
 * `telemetry:` block only fills in those the environment leaves unset. Metrics and logs stay off
 * here: the runner's own MeterProvider serves /metrics (and pushes OTLP when asked).
 */
export async function startTracing(
  settings: TelemetrySettings,
  resource: Resource,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Tracing> {
  if (!settings.tracing) return OFF;
  for (const [name, value] of Object.entries(settings.envDefaults)) env[name] ??= value;
  const { NodeSDK } = await import("@opentelemetry/sdk-node");
  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    // No auto-instrumentation: the engine's own spans say what a cycle did, one per batch at most.
    instrumentations: [],
    // No AsyncLocalStorage context manager (null: sdk-node registers none): its hooks cost every
    // promise of the hot path ~15 % of throughput; the engine passes the cycle's context explicitly.
    contextManager: null as unknown as ContextManager,
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  let stopping: Promise<void> | undefined;
  return {
    enabled: true,
    shutdown: () => {
      // Flushes the batch span processor: a -once run's last spans leave before the exit.
      stopping ??= sdk.shutdown().catch(() => {});
      return stopping;
    },
  };
}
