import { createMessage, type Message, type Transform } from "@pipekit/core";
import { MemoryCheckpointStore, MemorySink } from "@pipekit/core/builtins";
import { ArraySource, chunked, messages } from "@pipekit/core/testing";
import { delay, filter, map, mergeMap, of, throwError, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { rxTransform, type SinkDelivery, toObservable } from "../src/index.js";

const context = {
  componentId: "t",
  logger: (await import("@pipekit/core")).silentLogger,
  meter: {} as never,
  tracer: {} as never,
  signal: new AbortController().signal,
};

describe("rxTransform: an rxjs operator per message", () => {
  it("none, one or several outputs, each derived from its input", async () => {
    const t: Transform<{ n: number }, { n: number; copy?: number }> = rxTransform((values) =>
      values.pipe(
        filter((v) => v.n !== 0),
        mergeMap((v) => (v.n === 2 ? of({ ...v, copy: 0 }, { ...v, copy: 1 }) : of(v))),
        delay(1),
      ),
    );
    const input = (n: number) => createMessage(`m${n}`, { n }, { partition: "p" });
    expect(await t.transform(input(0), context)).toBeNull();
    expect(await t.transform(input(1), context)).toMatchObject({
      id: "m1",
      value: { n: 1 },
      meta: { partition: "p" },
    });
    const many = (await t.transform(input(2), context)) as readonly Message[];
    expect(many.map((m) => [m.id, m.value])).toEqual([
      ["m2/0", { n: 2, copy: 0 }],
      ["m2/1", { n: 2, copy: 1 }],
    ]);
  });

  it("an operator that errors dead-letters that message only; acknowledgements carry the checkpoint to the end", async () => {
    const store = new MemoryCheckpointStore();
    const sink = new MemorySink<number>();
    const observed = toObservable({
      source: new ArraySource(chunked(messages(30), 5)),
      transforms: [
        rxTransform<{ n: number }, number>((values) =>
          values.pipe(
            mergeMap((v) => (v.n % 10 === 7 ? throwError(() => new Error(`no ${v.n}`)) : of(v.n * 2))),
          ),
        ),
      ],
      sinks: [{ id: "out", sink }],
      deadLetter: new MemorySink(),
      checkpointStore: store,
    });
    const committed: unknown[] = [];
    observed.committed$.subscribe((c) => committed.push(c));
    const delivered: SinkDelivery[] = [];
    observed.delivered$.subscribe((d) => delivered.push(d));
    const deadLetters = observed.deadLetters$.pipe(toArray());
    const reasons = new Promise<string[]>((resolve) =>
      deadLetters
        .pipe(map((records) => records.map((r) => `${r.message.id}: ${r.error.message}`)))
        .subscribe(resolve),
    );
    const [report] = await new Promise<unknown[]>((resolve, reject) =>
      observed.run().pipe(toArray()).subscribe({ next: resolve, error: reject }),
    );
    expect(report).toMatchObject({ received: 30, deadLettered: 3, sent: { out: 27 } });
    expect(await reasons).toEqual(["m7: no 7", "m17: no 17", "m27: no 27"]);
    expect(delivered).toHaveLength(27);
    expect(delivered.every((d) => d.sink === "out")).toBe(true);
    expect(sink.values.slice(0, 3)).toEqual([0, 2, 4]);
    expect(await store.load("k")).toEqual({ next: 30 });
    expect(committed.at(-1)).toEqual({ key: "k", position: { next: 30 } });
  });
});
