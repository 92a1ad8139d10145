import { z } from "zod";
import type { Message } from "../contracts/message.js";
import type { Sink } from "../contracts/sink.js";
import { defineComponent } from "../registry/component-definition.js";

/** Drops everything, counting it: the "blackhole" for benchmarks and dry runs. */
export class NullSink implements Sink {
  readonly type = "null";
  count = 0;
  bytes = 0;
  async write(batch: readonly Message[]): Promise<void> {
    this.count += batch.length;
    for (const m of batch) this.bytes += m.sizeBytes;
  }
}

/** Keeps every message it is given, in order: for tests and examples. */
export class MemorySink<T = unknown> implements Sink<T> {
  readonly type = "memory";
  readonly messages: Message<T>[] = [];
  readonly batches: number[] = [];
  async write(batch: readonly Message<T>[]): Promise<void> {
    this.batches.push(batch.length);
    for (const m of batch) this.messages.push(m);
  }
  get values(): T[] {
    return this.messages.map((m) => m.value);
  }
}

/** Prints each value as a JSON line; resolves once the stream has taken the data. */
export class StdoutSink implements Sink {
  readonly type = "stdout";
  constructor(private readonly stream: NodeJS.WritableStream = process.stdout) {}
  write(batch: readonly Message[]): Promise<void> {
    let text = "";
    for (const m of batch) text += `${JSON.stringify(m.value)}\n`;
    return new Promise((resolve, reject) => {
      this.stream.write(text, (error) => (error ? reject(error) : resolve()));
    });
  }
}

export const nullSinkComponent = defineComponent({
  kind: "sink",
  type: "null",
  description: "Drops every message (counts them).",
  configSchema: z.strictObject({}),
  create: () => new NullSink(),
});

export const memorySinkComponent = defineComponent({
  kind: "sink",
  type: "memory",
  description: "Collects messages in memory (tests).",
  configSchema: z.strictObject({}),
  create: () => new MemorySink(),
});

export const stdoutSinkComponent = defineComponent({
  kind: "sink",
  type: "stdout",
  description: "Prints each message's value as a JSON line on standard output.",
  configSchema: z.strictObject({}),
  create: () => new StdoutSink(),
});
