/**
 * Child entry of bench/tracing.ts: the core throughput workload (generate → 2 map transforms →
 * null sink, 1,000-message batches), alternating in one process between tracing off (the API's
 * no-op tracer: no SDK registered) and on (a registered SDK tracer provider as the runner's
 * sdk-node sets it up: batch span processor, parent-based 10 % sampling, W3C propagation, no
 * context manager; the exporter drops the spans). Alternating in one process keeps JIT state and
 * machine load alike for both. Prints the per-pair ratios (on ÷ off, in CPU time) as JSON.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Message, runPipeline } from "@pipekit/core";
import { type GeneratedValue, GenerateSource, mapTransform, NullSink } from "@pipekit/core/builtins";

const MESSAGES = 200_000;
const PAIRS = Number(process.argv[2] ?? 8);

interface SdkModule {
  api: {
    trace: { setGlobalTracerProvider(p: unknown): boolean; disable(): void };
    propagation: { setGlobalPropagator(p: unknown): boolean; disable(): void };
  };
  core: { W3CTraceContextPropagator: new () => unknown };
  tracing: {
    BasicTracerProvider: new (config: Record<string, unknown>) => { shutdown(): Promise<void> };
    BatchSpanProcessor: new (exporter: unknown) => unknown;
    ParentBasedSampler: new (config: { root: unknown }) => unknown;
    TraceIdRatioBasedSampler: new (ratio: number) => unknown;
  };
}

// The SDK is the runner's dependency (the library packages and this folder have only the API).
const runnerPackage = join(dirname(fileURLToPath(import.meta.url)), "../../packages/runner/package.json");
const sdkPath = createRequire(runnerPackage).resolve("@opentelemetry/sdk-node");
const { api, core, tracing } = (await import(pathToFileURL(sdkPath).href)) as SdkModule;
const dropAll = {
  export: (_spans: unknown, done: (result: { code: number }) => void) => done({ code: 0 }),
  shutdown: async () => {},
};
const provider = new tracing.BasicTracerProvider({
  sampler: new tracing.ParentBasedSampler({ root: new tracing.TraceIdRatioBasedSampler(0.1) }),
  spanProcessors: [new tracing.BatchSpanProcessor(dropAll)],
});
const propagator = new core.W3CTraceContextPropagator();

function tracingOn(on: boolean): void {
  api.trace.disable();
  api.propagation.disable();
  if (!on) return;
  api.trace.setGlobalTracerProvider(provider);
  api.propagation.setGlobalPropagator(propagator);
}

const enrich = (v: GeneratedValue) => ({ ...v, checksum: v.data.charCodeAt(v.seq % v.data.length) });
const tag = (v: ReturnType<typeof enrich>) => ({
  seq: v.seq,
  checksum: v.checksum,
  tag: v.seq % 2 ? "odd" : "even",
});
const sizeOf = (_v: unknown, input: Message) => input.sizeBytes + 16;

/** Messages per CPU-second of one pass. */
async function once(): Promise<number> {
  const sink = new NullSink();
  const cpu = process.cpuUsage();
  await runPipeline({
    source: new GenerateSource({ count: MESSAGES, size: 1024, chunkSize: 1000, seed: 42 }),
    transforms: [mapTransform(enrich, { sizeOf }), mapTransform(tag, { sizeOf })],
    sinks: [{ id: "null", sink, batch: { maxCount: 1000, lingerMs: 0 } }],
    deadLetter: new NullSink(),
  });
  const used = process.cpuUsage(cpu);
  if (sink.count !== MESSAGES) throw new Error(`delivered ${sink.count} of ${MESSAGES}`);
  return MESSAGES / ((used.user + used.system) / 1e6);
}

for (const on of [false, true, false, true]) {
  tracingOn(on);
  await once(); // warm-up, both paths
}
const off: number[] = [];
const withTracing: number[] = [];
for (let i = 0; i < PAIRS; i++) {
  // Alternate which goes first, so a drift in machine load does not favour one side.
  for (const on of i % 2 === 0 ? [false, true] : [true, false]) {
    tracingOn(on);
    (on ? withTracing : off).push(await once());
  }
}
tracingOn(false);
await provider.shutdown();
process.stdout.write(`${JSON.stringify({ off, on: withTracing })}\n`);
