import { type Meter, trace } from "@opentelemetry/api";
import type { AgentExecution } from "@pipekit/agent-execution";
import type { Message, SourceChunk, SourceContext } from "@pipekit/core";
import { isIncrementalPosition } from "@pipekit/core/advanced";
import type { MemoryCheckpointStore } from "@pipekit/core/builtins";
import type { DatabricksSource } from "../src/index.js";
import { recordingLogger } from "./helpers.js";

/** A Meter that sums what each instrument was given, by name (enough to assert on counters). */
export function summingMeter(): { meter: Meter; totals: Map<string, number> } {
  const totals = new Map<string, number>();
  const instrument = (name: string) => ({
    add: (v: number) => totals.set(name, (totals.get(name) ?? 0) + v),
    record: (v: number) => totals.set(name, v),
  });
  const meter = {
    createCounter: instrument,
    createUpDownCounter: instrument,
    createHistogram: instrument,
    createGauge: instrument,
    // Observed at scrape time (rows-behind gauge): nothing scrapes in these tests.
    createObservableGauge: () => ({ addCallback() {}, removeCallback() {} }),
  } as unknown as Meter;
  return { meter, totals };
}

export function sourceContext(store: MemoryCheckpointStore, meter = summingMeter().meter): SourceContext {
  return {
    componentId: "databricks",
    logger: recordingLogger(),
    meter,
    tracer: trace.getTracer("test"),
    signal: new AbortController().signal,
    checkpoints: { get: (key) => store.load(key), all: () => store.loadAll() },
  };
}

export interface CycleResult {
  messages: Message<AgentExecution>[];
  rejected: NonNullable<SourceChunk["rejected"]>[number][];
  chunks: number;
}

/** One read() pass, acknowledging each chunk at once (its checkpoint is committed as it arrives). */
export async function runCycle(
  source: DatabricksSource,
  store: MemoryCheckpointStore,
  ctx: SourceContext = sourceContext(store),
): Promise<CycleResult> {
  const result: CycleResult = { messages: [], rejected: [], chunks: 0 };
  for await (const chunk of source.read(ctx)) {
    result.chunks++;
    result.messages.push(...chunk.messages);
    result.rejected.push(...(chunk.rejected ?? []));
    // As the engine does once a chunk is acknowledged (here: at once, nothing is delivered anywhere).
    const position = chunk.checkpoint?.position;
    if (isIncrementalPosition(position)) {
      const writes = position.checkpointWrites();
      await store.commitMany(writes.entries);
      writes.durable?.();
    } else if (chunk.checkpoint) await store.commit(chunk.checkpoint.key, position);
  }
  return result;
}

/** Polls `condition` until it holds or the deadline passes (no fixed sleeps). */
export async function waitFor(
  condition: () => boolean,
  timeoutMs = 10_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
