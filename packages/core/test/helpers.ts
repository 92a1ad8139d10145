import type { Message, Sink, Source, SourceChunk, SourceContext, WriteContext } from "../src/index.js";
import { createMessage, MemorySink } from "../src/index.js";

/** Messages "m0".."m{n-1}" with value {n: i} and an exact size. */
export function messages(count: number, sizeBytes = 10, from = 0): Message<{ n: number }>[] {
  return Array.from({ length: count }, (_, i) =>
    createMessage(`m${from + i}`, { n: from + i }, {}, sizeBytes),
  );
}

/** A source over fixed chunks that counts what it has produced. */
export class ArraySource implements Source {
  readonly type = "array";
  produced = 0;
  constructor(private readonly chunks: readonly SourceChunk[]) {}
  async *read(): AsyncGenerator<SourceChunk> {
    for (const chunk of this.chunks) {
      this.produced += chunk.messages.length;
      yield chunk;
    }
  }
}

/** Chunks of `size` from `all`, each checkpointing {next} under `key`. */
export function chunked(all: readonly Message[], size: number, key = "k"): SourceChunk[] {
  const out: SourceChunk[] = [];
  for (let i = 0; i < all.length; i += size) {
    out.push({ messages: all.slice(i, i + size), checkpoint: { key, position: { next: i + size } } });
  }
  return out;
}

/** A source that yields what the test pushes and ends when the test says so (or on abort). */
export class ManualSource implements Source {
  readonly type = "manual";
  private queue: (SourceChunk | "end")[] = [];
  private wake: (() => void) | undefined;
  push(chunk: SourceChunk | "end"): void {
    this.queue.push(chunk);
    this.wake?.();
  }
  async *read(ctx: SourceContext): AsyncGenerator<SourceChunk> {
    for (;;) {
      while (this.queue.length === 0) {
        if (ctx.signal.aborted) return;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          ctx.signal.addEventListener("abort", () => resolve(), { once: true });
        });
      }
      const next = this.queue.shift()!;
      if (next === "end") return;
      yield next;
    }
  }
}

/** A sink whose behaviour per write is scripted by the test. */
export class ScriptedSink implements Sink {
  readonly type = "scripted";
  readonly calls: { ids: string[]; attempt: number; at: number }[] = [];
  readonly delivered: Message[] = [];
  constructor(
    private readonly behave: (
      batch: readonly Message[],
      ctx: WriteContext,
    ) => Promise<unknown> | unknown = () => undefined,
  ) {}
  async write(
    batch: readonly Message[],
    ctx: WriteContext,
  ): Promise<void | { failed: { index: number; error: Error }[] }> {
    this.calls.push({ ids: batch.map((m) => m.id), attempt: ctx.attempt, at: Date.now() });
    const result = (await this.behave(batch, ctx)) as void | { failed: { index: number; error: Error }[] };
    const failed = new Set(result ? result.failed.map((f) => f.index) : []);
    batch.forEach((m, i) => {
      if (!failed.has(i)) this.delivered.push(m);
    });
    return result;
  }
}

/** Dead letters kept in memory; `records` are the DeadLetterRecord values. */
export function deadLetterSink(): MemorySink {
  return new MemorySink();
}

/** Poll a condition until true or fail after `timeoutMs` (real timers). */
export async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met before the deadline");
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Let pending I/O callbacks and promise chains run (not a sleep: no wall-clock wait). */
export async function settleEventLoop(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}
