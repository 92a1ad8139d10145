import { DataPointType } from "@opentelemetry/sdk-metrics";
import { describe, expect, it } from "vitest";
import { createInstruments } from "../src/advanced.js";
import { pointsOf, useTelemetryHarness } from "./support/telemetry-harness.js";

describe("createInstruments", () => {
  const telemetry = useTelemetryHarness();

  it("creates each spec's kind under its key, with its name, description, unit and advice", async () => {
    const meter = telemetry().meterProvider.getMeter("test");
    const instruments = createInstruments(meter, {
      rows: { kind: "counter", name: "t_rows_total", description: "Rows" },
      lag: {
        kind: "histogram",
        name: "t_lag_seconds",
        description: "Lag",
        unit: "s",
        advice: { explicitBucketBoundaries: [1, 10] },
      },
      bytes: { kind: "gauge", name: "t_bytes", description: "Bytes", unit: "By" },
      depth: { kind: "observableGauge", name: "t_depth", description: "Depth" },
    });
    instruments.rows.add(3, { table: "a" });
    instruments.lag.record(5);
    instruments.bytes.record(42);
    instruments.depth.addCallback((result) => result.observe(7));

    const metrics = await telemetry().collect();
    const byName = new Map(metrics.map((m) => [m.descriptor.name, m]));
    expect(byName.get("t_rows_total")?.descriptor).toMatchObject({ description: "Rows", unit: "" });
    expect(pointsOf(metrics, "t_rows_total").map((p) => [p.attributes, p.value])).toEqual([
      [{ table: "a" }, 3],
    ]);
    expect(byName.get("t_lag_seconds")?.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(byName.get("t_lag_seconds")?.descriptor.unit).toBe("s");
    expect(pointsOf(metrics, "t_lag_seconds")[0]?.value).toMatchObject({
      count: 1,
      buckets: { boundaries: [1, 10] },
    });
    expect(byName.get("t_bytes")?.descriptor.unit).toBe("By");
    expect(pointsOf(metrics, "t_bytes")[0]?.value).toBe(42);
    expect(pointsOf(metrics, "t_depth")[0]?.value).toBe(7);
  });
});
