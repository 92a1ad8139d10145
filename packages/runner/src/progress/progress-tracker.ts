import type { Message, Sink, Source } from "@pipekit/core";
import { wrapSink, wrapSource } from "@pipekit/core/advanced";

export interface PartitionProgress {
  read: number;
  /** Per sink id: messages the sink durably accepted. */
  sent: Record<string, number>;
}

/**
 * Live counts per partition (table), gathered by wrapping the source and the sinks: it needs no
 * support from the engine and sees exactly what was read and what each sink accepted.
 */
export class ProgressTracker {
  readonly partitions = new Map<string, PartitionProgress>();
  private listeners = new Set<() => void>();

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  reset(): void {
    this.partitions.clear();
    this.emit();
  }

  totals(): { read: number; sent: Record<string, number> } {
    const sent: Record<string, number> = {};
    let read = 0;
    for (const p of this.partitions.values()) {
      read += p.read;
      for (const [sink, n] of Object.entries(p.sent)) sent[sink] = (sent[sink] ?? 0) + n;
    }
    return { read, sent };
  }

  wrapSource(source: Source): Source {
    const tracker = this;
    return wrapSource(source, async function* (ctx, inner) {
      for await (const chunk of inner.read(ctx)) {
        for (const m of chunk.messages) tracker.entry(m).read++;
        tracker.emit();
        yield chunk;
      }
    });
  }

  wrapSink(sinkId: string, sink: Sink): Sink {
    return wrapSink(sink, async (batch, ctx, inner) => {
      const result = await inner.write(batch, ctx);
      const failed = new Set(result ? result.failed.map((f) => f.index) : []);
      batch.forEach((m, i) => {
        if (failed.has(i)) return;
        const entry = this.entry(m);
        entry.sent[sinkId] = (entry.sent[sinkId] ?? 0) + 1;
      });
      this.emit();
      return result;
    });
  }

  private entry(message: Message): PartitionProgress {
    const key = message.meta.partition ?? message.meta.source ?? "(all)";
    let entry = this.partitions.get(key);
    if (!entry) {
      entry = { read: 0, sent: {} };
      this.partitions.set(key, entry);
    }
    return entry;
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
