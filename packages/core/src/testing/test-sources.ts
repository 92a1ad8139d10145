import { createMessage, type Message } from "../contracts/message.js";
import type { Source, SourceChunk, SourceContext } from "../contracts/source.js";

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
