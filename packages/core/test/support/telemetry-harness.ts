import type { Tracer } from "@opentelemetry/api";
import {
  AggregationTemporality,
  type DataPoint,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterEach, beforeEach } from "vitest";

/** In-memory metrics and spans for one test: read on demand, never exported on a timer. */
export class TelemetryHarness {
  private readonly exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  private readonly reader = new PeriodicExportingMetricReader({
    exporter: this.exporter,
    exportIntervalMillis: 3_600_000,
  });
  readonly meterProvider = new MeterProvider({ readers: [this.reader] });
  private readonly spanExporter = new InMemorySpanExporter();
  private readonly tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(this.spanExporter)],
  });

  /** What a Pipeline needs to report into this harness. */
  get pipelineTelemetry(): { meterProvider: MeterProvider; tracer: Tracer } {
    return { meterProvider: this.meterProvider, tracer: this.tracerProvider.getTracer("test") };
  }

  /** Every metric recorded so far (cumulative). */
  async collect(): Promise<MetricData[]> {
    this.exporter.reset();
    await this.reader.forceFlush();
    return this.exporter.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
  }

  finishedSpans(): ReadableSpan[] {
    return this.spanExporter.getFinishedSpans();
  }

  async shutdown(): Promise<void> {
    await this.meterProvider.shutdown();
    await this.tracerProvider.shutdown();
  }
}

/** A fresh harness for each test of the calling `describe`, shut down after it. */
export function useTelemetryHarness(): () => TelemetryHarness {
  let current: TelemetryHarness | undefined;
  beforeEach(() => {
    current = new TelemetryHarness();
  });
  afterEach(async () => {
    await current?.shutdown();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error("the telemetry harness exists only while a test runs");
    return current;
  };
}

/** The data points of one metric, by name ([] when it was never recorded). */
export function pointsOf(metrics: MetricData[], name: string): DataPoint<unknown>[] {
  return (metrics.find((m) => m.descriptor.name === name)?.dataPoints ?? []) as DataPoint<unknown>[];
}
