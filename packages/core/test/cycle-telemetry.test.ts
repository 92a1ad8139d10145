import type { DataPoint } from "@opentelemetry/sdk-metrics";
import { describe, expect, it } from "vitest";
import { functionTransform, MemorySink } from "../src/builtins.js";
import { Pipeline, RetryableError, type SourceContext } from "../src/index.js";
import { ArraySource, chunked, messages, ScriptedSink } from "./helpers.js";
import { pointsOf, useTelemetryHarness } from "./support/telemetry-harness.js";

const ERROR = 2; // SpanStatusCode.ERROR

describe("a cycle's trace and the pipeline's cycle metrics", () => {
  const telemetry = useTelemetryHarness();

  async function points(name: string): Promise<DataPoint<unknown>[]> {
    return pointsOf(await telemetry().collect(), name);
  }

  it("cycle → transform summary and batch writes (attempts, outcome, an exception event per failure); cycles counted by outcome", async () => {
    let failures = 1;
    const sink = new ScriptedSink(() => {
      if (failures-- > 0) throw new RetryableError("HTTP 503 from the destination");
    });
    const pipeline = new Pipeline({
      id: "p1",
      source: new ArraySource(chunked(messages(6, 10), 3)),
      transforms: [{ id: "keep", transform: functionTransform((m) => m) }],
      sinks: [
        {
          id: "out",
          sink,
          batch: { maxCount: 100, lingerMs: 0 },
          retry: { initialDelayMs: 1, maxDelayMs: 2 },
        },
      ],
      deadLetter: new MemorySink(),
      ...telemetry().pipelineTelemetry,
    });
    await pipeline.open();
    await pipeline.runCycle();

    const finished = telemetry().finishedSpans();
    const cycle = finished.find((s) => s.name === "pipeline cycle")!;
    expect(cycle.parentSpanContext).toBeUndefined();
    expect(cycle.attributes).toMatchObject({
      "pipekit.pipeline.id": "p1",
      "pipekit.cycle.received": 6,
      "pipekit.cycle.sent": 6,
      "pipekit.cycle.outcome": "success",
    });
    const children = finished.filter((s) => s !== cycle);
    for (const s of children) {
      expect(s.spanContext().traceId).toBe(cycle.spanContext().traceId);
      expect(s.parentSpanContext?.spanId, s.name).toBe(cycle.spanContext().spanId);
    }
    const stage = children.filter((s) => s.name === "transform keep");
    expect(stage).toHaveLength(1); // one summary for the cycle, not one per message or chunk
    expect(stage[0]!.attributes).toMatchObject({ "pipekit.events.received": 6, "pipekit.events.sent": 6 });
    const writes = children.filter((s) => s.name === "sink out write");
    expect(writes.length).toBeGreaterThan(0);
    const retried = writes.filter((w) => w.attributes["pipekit.attempts"] === 2);
    expect(retried).toHaveLength(1);
    expect(retried[0]!.attributes["pipekit.outcome"]).toBe("delivered");
    expect(retried[0]!.events.map((e) => [e.name, e.attributes?.["exception.message"]])).toEqual([
      ["exception", "HTTP 503 from the destination"],
    ]);

    expect((await points("pipekit_pipeline_cycles_total")).map((p) => [p.attributes, p.value])).toEqual([
      [{ pipeline_id: "p1", outcome: "success" }, 1],
    ]);
    const [last] = await points("pipekit_pipeline_last_success_timestamp_seconds");
    expect(Math.abs((last!.value as number) - Date.now() / 1000)).toBeLessThan(60);
    expect(await points("pipekit_pipeline_checkpoint_age_seconds")).toHaveLength(1);
    await pipeline.close();
  });

  it("a failed cycle: ERROR span with its exception, counted by reason, no new last-success time", async () => {
    const failing = {
      type: "failing",
      // biome-ignore lint/correctness/useYield: the source fails before producing anything
      async *read(): AsyncGenerator<never> {
        throw new Error("warehouse unreachable");
      },
    };
    const pipeline = new Pipeline({
      id: "p2",
      source: failing,
      sinks: [{ id: "out", sink: new MemorySink() }],
      deadLetter: new MemorySink(),
      ...telemetry().pipelineTelemetry,
    });
    await pipeline.open();
    await expect(pipeline.runCycle()).rejects.toThrow("warehouse unreachable");
    const cycle = telemetry()
      .finishedSpans()
      .find((s) => s.name === "pipeline cycle")!;
    expect(cycle.status).toEqual({ code: ERROR, message: "warehouse unreachable" });
    expect(cycle.events.map((e) => e.name)).toEqual(["exception"]);
    expect(
      (await points("pipekit_pipeline_cycles_failed_total")).map((p) => [p.attributes, p.value]),
    ).toEqual([[{ pipeline_id: "p2", reason: "source_error" }, 1]]);
    expect(await points("pipekit_pipeline_last_success_timestamp_seconds")).toEqual([]);
    await pipeline.close();
  });

  it("a source's spans are the cycle's children without a context manager (the engine hands it a cycle-parented tracer)", async () => {
    const source = {
      type: "traced",
      async *read(ctx: SourceContext) {
        const span = ctx.tracer.startSpan("source read");
        // After an await, where an active-context lookup would have nothing without a context manager.
        await Promise.resolve();
        ctx.tracer.startActiveSpan("source step", (step) => step.end());
        span.end();
        yield { messages: messages(2, 10) };
      },
    };
    const pipeline = new Pipeline({
      id: "p3",
      source,
      sinks: [{ id: "out", sink: new MemorySink() }],
      deadLetter: new MemorySink(),
      ...telemetry().pipelineTelemetry,
    });
    await pipeline.open();
    await pipeline.runCycle();
    const finished = telemetry().finishedSpans();
    const cycle = finished.find((s) => s.name === "pipeline cycle")!;
    for (const name of ["source read", "source step"]) {
      const span = finished.find((s) => s.name === name)!;
      expect(span.parentSpanContext?.spanId, name).toBe(cycle.spanContext().spanId);
    }
    await pipeline.close();
  });
});
