import { metrics, trace } from "@opentelemetry/api";
import {
  AggregationTemporality,
  type DataPoint,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  type ComponentContext,
  ComponentRegistry,
  ConfigError,
  createMessage,
  type Message,
  runPipeline,
  type SourceChunk,
  silentLogger,
} from "@pipekit/core";
import { MemorySink } from "@pipekit/core/builtins";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REDACTIONS_METRIC, redactComponent, redactTransform } from "../src/index.js";

describe("redactTransform", () => {
  let exporter: InMemoryMetricExporter;
  let reader: PeriodicExportingMetricReader;
  let provider: MeterProvider;

  beforeEach(() => {
    exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    provider = new MeterProvider({ readers: [reader] });
  });
  afterEach(() => provider.shutdown());

  async function redactionPoints(): Promise<DataPoint<number>[]> {
    await reader.forceFlush();
    const all = exporter.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
    return (all.find((m) => m.descriptor.name === REDACTIONS_METRIC)?.dataPoints ??
      []) as DataPoint<number>[];
  }

  function context(): ComponentContext {
    return {
      componentId: "redact",
      logger: silentLogger,
      meter: provider.getMeter("test"),
      tracer: trace.getTracer("test"),
      signal: new AbortController().signal,
    };
  }

  it("redacts the value, reports on meta.redactions and counts redactions_total{detector}", async () => {
    const transform = redactTransform({});
    const ctx = context();
    await transform.open?.(ctx);
    const input = createMessage("req-1", {
      content: "mail maria@contoso.com or bob@example.org, ssn 219-09-9998",
    });
    const out = (await transform.transform(input, ctx)) as Message<{ content: string }>;
    expect(out.id).toBe("req-1");
    expect(out.value.content).toBe("mail [REDACTED:EMAIL] or [REDACTED:EMAIL], ssn [REDACTED:US_SSN]");
    expect(out.meta.redactions).toEqual({
      total: 3,
      byDetector: { EMAIL: 2, US_SSN: 1 },
      byPath: { content: 3 },
    });
    expect(out.sizeBytes).toBe(Buffer.byteLength(JSON.stringify(out.value)));
    const points = await redactionPoints();
    const byDetector = Object.fromEntries(points.map((p) => [p.attributes.detector, p.value]));
    expect(byDetector).toEqual({ EMAIL: 2, US_SSN: 1 });
    // Neither the metric nor the metadata carries a matched value.
    const exported = JSON.stringify({ points, meta: out.meta });
    expect(exported).not.toContain("contoso");
    expect(exported).not.toContain("219-09");
  });

  it("passes clean messages through with an empty report and the same size", async () => {
    const transform = redactTransform({});
    const input = createMessage("m", { role: "user", n: 3 }, { source: "s" }, 123);
    const out = (await transform.transform(input, context())) as Message;
    expect(out.value).toBe(input.value);
    expect(out.sizeBytes).toBe(123);
    expect(out.meta).toMatchObject({ source: "s", redactions: { total: 0, byDetector: {}, byPath: {} } });
    expect(await redactionPoints()).toEqual([]);
  });

  it("runs inside a real pipeline before the sink", async () => {
    const sink = new MemorySink<{ content: string }>();
    const deadLetters = new MemorySink();
    const source = {
      type: "inline",
      async *read(): AsyncGenerator<SourceChunk> {
        yield {
          messages: [
            createMessage("a", { content: "token sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0fGh3i" }),
            createMessage("b", { content: "nothing to see" }),
          ],
        };
      },
    };
    await runPipeline({
      source,
      transforms: [redactTransform({})],
      sinks: [{ id: "memory", sink }],
      deadLetter: deadLetters,
      meter: metrics.getMeter("noop"),
      logger: silentLogger,
    });
    expect(sink.values).toEqual([{ content: "token [REDACTED:OPENAI_KEY]" }, { content: "nothing to see" }]);
    expect(deadLetters.messages).toEqual([]);
  });
});

describe("redactComponent", () => {
  const registry = new ComponentRegistry().register(redactComponent);

  it("is the transform type 'redact' with hmacKey as a secret field", () => {
    expect(redactComponent.kind).toBe("transform");
    expect(redactComponent.type).toBe("redact");
    expect(redactComponent.secretFields).toEqual(["hmacKey"]);
  });

  it("validates config through the registry with paths, without echoing the key", () => {
    expect(() => registry.parse("transform", "redact", { defaultMode: "hmac" }, ["transforms", 0])).toThrow(
      ConfigError,
    );
    try {
      registry.parse("transform", "redact", { detectors: { EMAIL: { mode: "hmac" } }, hmacKey: "tiny" }, [
        "transforms",
        0,
      ]);
      expect.unreachable();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain("transforms[0].hmacKey: must be at least 16 characters");
      expect(message).not.toContain("tiny");
    }
  });

  it("builds a working transform from YAML-shaped config", async () => {
    const transform = (await registry.create(
      "transform",
      "redact",
      { defaultMode: "hmac", hmacKey: "0123456789abcdef0123", allow: { domains: ["example.org"] } },
      { logger: silentLogger, baseDir: "." },
    )) as ReturnType<typeof redactTransform>;
    const out = (await transform.transform(createMessage("m", "maria@contoso.com, bob@example.org"), {
      componentId: "redact",
      logger: silentLogger,
      meter: metrics.getMeter("noop"),
      tracer: trace.getTracer("noop"),
      signal: new AbortController().signal,
    })) as Message<string>;
    expect(out.value).toMatch(/^\[EMAIL:hmac:[0-9a-f]{12}\], bob@example\.org$/);
  });
});
