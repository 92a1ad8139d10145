// Engine overhead and memory bound of @pipekit/core. Figures:
//  - coreMessagesPerSec: generate → 2 function transforms → null sink through the Pipeline;
//  - baselineMessagesPerSec: a hand-written loop doing the same work (same generator, same
//    functions, same message derivation) in the same run; throughputRatio = core / baseline;
//  - coreLargeBudgetMessagesPerSec: the engine again with a 20,000-message budget (GC cost of a
//    bigger in-flight window);
//  - stalledSinkPeakHeapMB: peak heapUsed while 1,000,000 × 1 KiB messages meet a sink that never
//    completes, under a 10 MiB budget (the engine must stop pulling, not buffer).
import {
  deriveMessage,
  type Message,
  Pipeline,
  runPipeline,
  type Sink,
  type SourceContext,
  silentLogger,
} from "@pipekit/core";
import {
  type GeneratedValue,
  GenerateSource,
  MemoryCheckpointStore,
  mapTransform,
  NullSink,
} from "@pipekit/core/builtins";

const THROUGHPUT_MESSAGES = 300_000;
const SIZE = 1024;

interface Enriched extends GeneratedValue {
  readonly checksum: number;
}

// The two transforms' work, shared by the engine and the baseline.
const enrich = (v: GeneratedValue): Enriched => ({
  ...v,
  checksum: v.data.charCodeAt(v.seq % v.data.length),
});
const tag = (v: Enriched) => ({
  seq: v.seq,
  checksum: v.checksum,
  data: v.data,
  tag: v.seq % 2 ? "odd" : "even",
});
const sizeOf = (_v: unknown, input: Message) => input.sizeBytes + 16;

function generator(count: number): GenerateSource {
  return new GenerateSource({ count, size: SIZE, chunkSize: 1000, seed: 42 });
}

/**
 * The budget decides how many messages are alive at once, and with it the GC cost: 2,000 messages
 * (~2 MiB here) keeps the window in the young generation; `coreLargeBudgetMessagesPerSec` shows the
 * price of a 20,000-message window.
 */
async function runEngine(count: number, maxMessages = 2_000): Promise<number> {
  const sink = new NullSink();
  const started = performance.now();
  await runPipeline({
    source: generator(count),
    transforms: [mapTransform(enrich, { sizeOf }), mapTransform(tag, { sizeOf })],
    sinks: [{ id: "null", sink, batch: { maxCount: 1000, lingerMs: 0 } }],
    deadLetter: new NullSink(),
    budget: { maxMessages, maxBytes: 64 * 1024 * 1024 },
  });
  const seconds = (performance.now() - started) / 1000;
  if (sink.count !== count) throw new Error(`engine delivered ${sink.count} of ${count}`);
  return count / seconds;
}

async function runBaseline(count: number): Promise<number> {
  const store = new MemoryCheckpointStore();
  const ctx: SourceContext = {
    componentId: "baseline",
    logger: silentLogger,
    // The generator never touches telemetry; the baseline has none to pay for.
    meter: {} as SourceContext["meter"],
    tracer: {} as SourceContext["tracer"],
    signal: new AbortController().signal,
    checkpoints: { get: (k) => store.load(k), all: () => store.loadAll() },
  };
  const sink = new NullSink();
  const started = performance.now();
  for await (const chunk of generator(count).read(ctx)) {
    const out: Message[] = [];
    for (const m of chunk.messages) {
      const a = deriveMessage(m, enrich(m.value), { sizeBytes: sizeOf(undefined, m) });
      out.push(deriveMessage(a, tag(a.value), { sizeBytes: sizeOf(undefined, a) }));
    }
    await sink.write(out);
    if (chunk.checkpoint) await store.commit(chunk.checkpoint.key, chunk.checkpoint.position);
  }
  const seconds = (performance.now() - started) / 1000;
  if (sink.count !== count) throw new Error(`baseline delivered ${sink.count} of ${count}`);
  return count / seconds;
}

class NeverSink implements Sink {
  readonly type = "never";
  write(): Promise<void> {
    return new Promise(() => {});
  }
}

class CountingSource extends GenerateSource {
  produced = 0;
  override async *read(ctx: SourceContext) {
    for await (const chunk of super.read(ctx)) {
      this.produced += chunk.messages.length;
      yield chunk;
    }
  }
}

const gc = (globalThis as { gc?: () => void }).gc;

async function stalledSinkPeakHeapMB(): Promise<number> {
  gc?.();
  let peak = process.memoryUsage().heapUsed;
  const sample = () => {
    gc?.();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  };
  const timer = setInterval(sample, 20);
  const source = new CountingSource({ count: 1_000_000, size: SIZE, chunkSize: 1000, seed: 1, unique: true });
  const pipeline = new Pipeline({
    source,
    sinks: [{ id: "never", sink: new NeverSink(), batch: { maxCount: 500, lingerMs: 0 }, concurrency: 4 }],
    deadLetter: new NullSink(),
    budget: { maxMessages: 1_000_000, maxBytes: 10 * 1024 * 1024 },
  });
  await pipeline.open();
  const run = pipeline.runCycle();
  // Wait (bounded) until the source has stopped producing: the budget is full.
  let last = -1;
  for (let i = 0; i < 200 && source.produced !== last; i++) {
    last = source.produced;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  for (let i = 0; i < 10; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    sample();
  }
  clearInterval(timer);
  if (source.produced >= 1_000_000) throw new Error("the stalled pipeline read the whole source");
  await pipeline.stop({ timeoutMs: 0 });
  await run;
  await pipeline.close();
  return peak / (1024 * 1024);
}

export async function run(): Promise<Record<string, number>> {
  // Warm up both paths, then alternate and keep each one's best, as the machine is shared.
  await runEngine(50_000);
  await runBaseline(50_000);
  let core = 0;
  let baseline = 0;
  for (let i = 0; i < 3; i++) {
    baseline = Math.max(baseline, await runBaseline(THROUGHPUT_MESSAGES));
    core = Math.max(core, await runEngine(THROUGHPUT_MESSAGES));
  }
  return {
    coreMessagesPerSec: Math.round(core),
    baselineMessagesPerSec: Math.round(baseline),
    throughputRatio: Number((core / baseline).toFixed(3)),
    coreLargeBudgetMessagesPerSec: Math.round(await runEngine(THROUGHPUT_MESSAGES, 20_000)),
    stalledSinkPeakHeapMB: Number((await stalledSinkPeakHeapMB()).toFixed(1)),
  };
}
