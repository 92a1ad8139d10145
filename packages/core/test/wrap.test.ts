import { describe, expect, it } from "vitest";
import { wrapSink, wrapSource } from "../src/advanced.js";
import type { Sink, Source, SourceChunk, SourceContext } from "../src/index.js";

/** A class-based source: its optional members live on the prototype, where a spread would miss them. */
class ClassSource implements Source<number> {
  readonly type = "class_source";
  calls: string[] = [];
  async open(): Promise<void> {
    this.calls.push("open");
  }
  async *read(): AsyncIterable<SourceChunk<number>> {
    yield { messages: [{ id: "1", value: 1, meta: {}, sizeBytes: 1 }] };
  }
  async health() {
    return { ok: true, detail: "inner" };
  }
  cycleSummary() {
    return { tables: 3 };
  }
  async close(): Promise<void> {
    this.calls.push("close");
  }
}

describe("wrapSource / wrapSink", () => {
  it("forward every optional member of a class-based source, and replace only read", async () => {
    const inner = new ClassSource();
    const seen: number[] = [];
    const wrapped = wrapSource(inner, async function* (ctx, source) {
      for await (const chunk of source.read(ctx)) {
        for (const m of chunk.messages) seen.push(m.value);
        yield chunk;
      }
    });
    await wrapped.open?.({} as SourceContext);
    for await (const _ of wrapped.read({} as SourceContext)) {
      // drained
    }
    expect(seen).toEqual([1]);
    expect(await wrapped.health?.()).toEqual({ ok: true, detail: "inner" });
    expect(wrapped.cycleSummary?.()).toEqual({ tables: 3 });
    await wrapped.close?.();
    expect(inner.calls).toEqual(["open", "close"]);
    expect(wrapped.type).toBe("class_source");
  });

  it("leave absent members absent (the engine treats a missing health check differently)", () => {
    const bare: Source = { type: "bare", read: async function* () {} };
    const wrapped = wrapSource(bare, (ctx, s) => s.read(ctx));
    expect(Object.keys(wrapped).sort()).toEqual(["read", "type"]);
  });

  it("forward a sink's classifyError and health, and replace only write", async () => {
    const written: number[] = [];
    const inner: Sink<number> = {
      type: "s",
      async write(batch) {
        for (const m of batch) written.push(m.value);
      },
      classifyError: () => "poison",
      health: async () => ({ ok: false, detail: "down" }),
    };
    let wrappedCalls = 0;
    const wrapped = wrapSink(inner, async (batch, ctx, sink) => {
      wrappedCalls++;
      return sink.write(batch, ctx);
    });
    await wrapped.write([{ id: "a", value: 7, meta: {}, sizeBytes: 1 }], { attempt: 1 } as never);
    expect(written).toEqual([7]);
    expect(wrappedCalls).toBe(1);
    expect(wrapped.classifyError?.(new Error("x"))).toBe("poison");
    expect(await wrapped.health?.()).toEqual({ ok: false, detail: "down" });
    expect(wrapped.open).toBeUndefined();
  });
});
