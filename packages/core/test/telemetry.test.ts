import type { Histogram, MetricData } from "@opentelemetry/sdk-metrics";
import { describe, expect, it } from "vitest";
import { functionTransform, MemorySink } from "../src/builtins.js";
import { type Message, Pipeline, PoisonError } from "../src/index.js";
import { ArraySource, chunked, messages, ScriptedSink, until } from "./helpers.js";
import { pointsOf, useTelemetryHarness } from "./support/telemetry-harness.js";

describe("telemetry", () => {
  const telemetry = useTelemetryHarness();

  function value(metrics: MetricData[], name: string, attrs: Record<string, unknown>): unknown {
    return pointsOf(metrics, name).find((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v))
      ?.value;
  }

  it("counts events and bytes per component, errors, dead letters, batches and spans", async () => {
    const sink = new ScriptedSink((batch: readonly Message[]) => {
      if (batch.some((m) => m.id === "m3")) throw new PoisonError("bad m3");
    });
    const pipeline = new Pipeline({
      id: "p1",
      source: new ArraySource(chunked(messages(6, 10), 3)),
      transforms: [
        { id: "keep_even_and_m3", transform: functionTransform((m) => (m.id === "m1" ? null : m)) },
      ],
      sinks: [{ id: "out", sink, batch: { maxCount: 10, lingerMs: 0 } }],
      deadLetter: new MemorySink(),
      ...telemetry().pipelineTelemetry,
    });
    await pipeline.open();
    await pipeline.runCycle();
    const metrics = await telemetry().collect();
    const source = { component_id: "source", component_kind: "source", component_type: "array" };
    const transform = {
      component_id: "keep_even_and_m3",
      component_kind: "transform",
      component_type: "function",
    };
    const out = { component_id: "out", component_kind: "sink", component_type: "scripted" };
    expect(value(metrics, "component_received_events_total", source)).toBe(6);
    expect(value(metrics, "component_received_event_bytes_total", source)).toBe(60);
    expect(value(metrics, "component_received_events_total", transform)).toBe(6);
    expect(value(metrics, "component_sent_events_total", transform)).toBe(5);
    expect(value(metrics, "component_received_events_total", out)).toBe(5);
    expect(value(metrics, "component_sent_events_total", out)).toBe(4);
    expect(value(metrics, "component_sent_event_bytes_total", out)).toBe(40);
    expect(
      value(metrics, "component_errors_total", { ...out, stage: "sink", error_class: "poison" }),
    ).toBeGreaterThan(0);
    expect(value(metrics, "component_dead_letters_total", out)).toBe(1);
    const batches = value(metrics, "component_batch_size_events", out) as Histogram;
    expect(batches.count).toBe(2); // one batch per source chunk (linger 0)
    expect(batches.sum).toBe(5);

    const finished = telemetry().finishedSpans();
    expect(finished.length).toBeGreaterThanOrEqual(2);
    expect(finished[0]!.name).toBe("sink out write");
    expect(finished[0]!.attributes).toMatchObject({ component_id: "out", component_kind: "sink" });
    await pipeline.close();
  });

  it("counts a source error under the class it declares (a rejected credential is fatal, not retryable)", async () => {
    const failing = {
      type: "failing",
      // biome-ignore lint/correctness/useYield: the source fails before producing anything
      async *read(): AsyncGenerator<never> {
        throw Object.assign(new Error("Authentication failed"), { class: "fatal" });
      },
    };
    const pipeline = new Pipeline({
      source: failing,
      sinks: [{ id: "out", sink: new MemorySink() }],
      deadLetter: new MemorySink(),
      meterProvider: telemetry().meterProvider,
    });
    await pipeline.open();
    await expect(pipeline.runCycle()).rejects.toThrow("Authentication failed");
    const metrics = await telemetry().collect();
    const source = { component_id: "source", component_kind: "source", component_type: "failing" };
    expect(
      value(metrics, "component_errors_total", { ...source, stage: "source", error_class: "fatal" }),
    ).toBe(1);
    expect(
      value(metrics, "component_errors_total", { ...source, stage: "source", error_class: "retryable" }),
    ).toBeUndefined();
    await pipeline.close();
  });

  it("reports in-flight events and bytes while a sink holds them, and counts retries", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    const sink = new ScriptedSink(async () => {
      calls++;
      if (calls === 1) throw new Error("transient");
      await gate;
    });
    const pipeline = new Pipeline({
      id: "p2",
      source: new ArraySource(chunked(messages(4, 25), 4)),
      sinks: [{ id: "out", sink, batch: { lingerMs: 0 }, retry: { initialDelayMs: 1, maxDelayMs: 1 } }],
      deadLetter: new MemorySink(),
      meterProvider: telemetry().meterProvider,
    });
    await pipeline.open();
    const run = pipeline.runCycle();
    await until(() => calls === 2);
    const during = await telemetry().collect();
    const attrs = { component_id: "p2", component_kind: "pipeline" };
    expect(value(during, "component_in_flight_events", attrs)).toBe(4);
    expect(value(during, "component_in_flight_event_bytes", attrs)).toBe(100);
    expect(value(during, "component_retries_total", { component_id: "out" })).toBe(1);
    release();
    await run;
    const after = await telemetry().collect();
    expect(value(after, "component_in_flight_events", attrs)).toBe(0);
    await pipeline.close();
  });
});
