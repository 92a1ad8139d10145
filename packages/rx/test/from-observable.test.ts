import type { Meter } from "@opentelemetry/api";
import { runPipeline, type SourceChunk } from "@pipekit/core";
import { MemorySink } from "@pipekit/core/builtins";
import { ScriptedSink } from "@pipekit/core/testing";
import { concatMap, Observable, range, takeWhile } from "rxjs";
import { describe, expect, it } from "vitest";
import { fromObservable, ObservableOverflowError } from "../src/index.js";

/** A Meter that sums what each counter was given, by name. */
function summingMeter(): { meter: Meter; totals: Map<string, number> } {
  const totals = new Map<string, number>();
  const instrument = (name: string) => ({
    add: (v: number) => totals.set(name, (totals.get(name) ?? 0) + v),
    record: () => {},
  });
  const meter = {
    createCounter: instrument,
    createUpDownCounter: instrument,
    createHistogram: instrument,
    createGauge: instrument,
    createObservableGauge: () => ({ addCallback: () => {}, removeCallback: () => {} }),
    addBatchObservableCallback: () => {},
    removeBatchObservableCallback: () => {},
  } as unknown as Meter;
  return { meter, totals };
}

describe("fromObservable: a pulled Observable", () => {
  it("produces only what the engine asks for: a slow sink holds it at budget + one chunk", async () => {
    const total = 300;
    const chunkSize = 10;
    const budget = 40;
    let produced = 0;
    let accepted = 0;
    let maxAhead = 0;
    let demands = 0;
    const source = fromObservable<number>(
      (demand) =>
        demand.pipe(
          // A demand once everything was produced ends the Observable (and the pass).
          takeWhile(() => produced < total),
          concatMap((n) => {
            demands++;
            const from = produced;
            const count = Math.min(n, total - from);
            produced += count;
            // What has been produced, this chunk included, beyond what a sink has taken: the bound under test.
            maxAhead = Math.max(maxAhead, produced - accepted);
            return range(from, count);
          }),
        ),
      { chunkSize, sizeOf: () => 10 },
    );
    // A slow destination: each batch takes a few milliseconds (slowness, not synchronisation).
    const sink = new ScriptedSink(async (batch) => {
      await new Promise((r) => setTimeout(r, 2));
      accepted += batch.length;
    });
    const report = await runPipeline({
      source,
      sinks: [{ id: "slow", sink, batch: { maxCount: 5, lingerMs: 0 } }],
      budget: { maxMessages: budget },
      deadLetter: new MemorySink(),
    });
    expect(report.sent.slow).toBe(total);
    expect(sink.delivered.map((m) => m.value)).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(demands).toBeGreaterThanOrEqual(total / chunkSize);
    expect(maxAhead).toBeLessThanOrEqual(budget + chunkSize);
    // The budget was actually reached, so the bound above was exercised, not trivially met.
    expect(maxAhead).toBeGreaterThanOrEqual(budget);
  });

  it("fails the read with the Observable's error, after what came before it was delivered", async () => {
    const source = fromObservable<number>(
      () =>
        new Observable<number>((s) => {
          s.next(1);
          s.next(2);
          s.error(new Error("upstream broke"));
        }),
      { lingerMs: 1 },
    );
    const sink = new MemorySink<number>();
    await expect(
      runPipeline({ source, sinks: [{ id: "out", sink }], deadLetter: new MemorySink() }),
    ).rejects.toThrow("upstream broke");
    expect(sink.values).toEqual([1, 2]);
  });

  it("unsubscribes from the Observable when the pass ends early", async () => {
    let subscribed = 0;
    let unsubscribed = 0;
    const source = fromObservable<number>(
      (demand) =>
        new Observable<number>((s) => {
          subscribed++;
          const inner = demand.pipe(concatMap((n) => range(0, n))).subscribe(s);
          return () => {
            unsubscribed++;
            inner.unsubscribe();
          };
        }),
      { chunkSize: 5 },
    );
    const iterator = source
      .read({
        componentId: "source",
        logger: (await import("@pipekit/core")).silentLogger,
        meter: summingMeter().meter,
        tracer: (await import("@opentelemetry/api")).trace.getTracer("test"),
        signal: new AbortController().signal,
        checkpoints: { get: async () => undefined, all: async () => new Map() },
      })
      [Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    expect((first.value as SourceChunk<number>).messages.map((m) => m.value)).toEqual([0, 1, 2, 3, 4]);
    await iterator.return?.(undefined);
    expect([subscribed, unsubscribed]).toEqual([1, 1]);
  });
});

describe("fromObservable: a hot Observable", () => {
  const flood = (count: number) => () =>
    new Observable<{ n: number }>((s) => {
      for (let n = 0; n < count; n++) s.next({ n });
      s.complete();
    });

  it("overflow error: fails the read once the buffer bound is passed, never buffering on", async () => {
    const source = fromObservable(flood(1_000), { maxBufferBytes: 1_000, sizeOf: () => 10 });
    await expect(
      runPipeline({ source, sinks: [{ id: "out", sink: new MemorySink() }], deadLetter: new MemorySink() }),
    ).rejects.toThrow(ObservableOverflowError);
  });

  it("overflow drop: keeps what fits, drops the rest and counts it in component_discarded_events_total", async () => {
    const { meter, totals } = summingMeter();
    const source = fromObservable(flood(1_000), {
      maxBufferBytes: 1_000,
      sizeOf: () => 10,
      overflow: "drop",
    });
    const sink = new MemorySink<{ n: number }>();
    const report = await runPipeline({
      source,
      sinks: [{ id: "out", sink }],
      deadLetter: new MemorySink(),
      meter,
    });
    expect(report.sent.out).toBe(100);
    expect(sink.values.map((v) => v.n)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(source.dropped).toBe(900);
    expect(totals.get("component_discarded_events_total")).toBe(900);
  });
});
