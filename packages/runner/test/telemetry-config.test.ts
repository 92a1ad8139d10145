import { ComponentRegistry } from "@pipekit/core";
import { afterEach, describe, expect, it } from "vitest";
import { formatIssue } from "../src/config/config-issue.js";
import { prepareConfig } from "../src/config/validate-config.js";
import { resolveTelemetry } from "../src/telemetry/telemetry-config.js";
import { scratchDir, TEST_PLUGIN, yaml } from "./helpers.js";

const SERVICE = { name: "pipekit-pipeline", version: "1.2.3" };
let scratch: ReturnType<typeof scratchDir> | undefined;
afterEach(() => scratch?.cleanup());

describe("telemetry settings", () => {
  it("starts no trace SDK without an exporter, and names the service (never unknown_service)", () => {
    const settings = resolveTelemetry(undefined, {}, SERVICE);
    expect(settings).toMatchObject({
      tracing: false,
      serviceName: "pipekit-pipeline",
      serviceVersion: "1.2.3",
    });
    expect(settings.metricsOtlp).toBeUndefined();
  });

  it("traces when an OTLP endpoint or an exporter is set in the environment; none and OTEL_SDK_DISABLED turn it off", () => {
    expect(
      resolveTelemetry(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" }, SERVICE).tracing,
    ).toBe(true);
    expect(
      resolveTelemetry(undefined, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://c/v1/traces" }, SERVICE)
        .tracing,
    ).toBe(true);
    expect(resolveTelemetry(undefined, { OTEL_TRACES_EXPORTER: "console" }, SERVICE).tracing).toBe(true);
    const on = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" };
    expect(resolveTelemetry(undefined, { ...on, OTEL_TRACES_EXPORTER: "none" }, SERVICE).tracing).toBe(false);
    expect(resolveTelemetry(undefined, { ...on, OTEL_SDK_DISABLED: "true" }, SERVICE).tracing).toBe(false);
  });

  it("the file fills in only the OTEL_* variables the environment leaves unset (env wins)", () => {
    const file = {
      serviceName: "from-file",
      traces: { endpoint: "http://file:4318/", sampleRatio: 0.25 },
      metrics: { endpoint: "http://file:4318", exportIntervalSeconds: 15 },
    };
    const fromFile = resolveTelemetry(file, {}, SERVICE);
    expect(fromFile).toMatchObject({
      tracing: true,
      serviceName: "from-file",
      envDefaults: {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://file:4318/v1/traces",
        OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG: "0.25",
      },
      metricsOtlp: { url: "http://file:4318/v1/metrics", intervalMs: 15_000 },
    });
    const env = {
      OTEL_SERVICE_NAME: "from-env",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://env:4318",
      OTEL_TRACES_SAMPLER: "always_on",
      OTEL_METRIC_EXPORT_INTERVAL: "5000",
    };
    const overridden = resolveTelemetry(file, env, SERVICE);
    expect(overridden.serviceName).toBe("from-env");
    expect(overridden.envDefaults).toEqual({});
    expect(overridden.metricsOtlp).toEqual({ url: "http://env:4318/v1/metrics", intervalMs: 5_000 });
  });

  it("pushes metrics when OTEL_METRICS_EXPORTER names otlp", () => {
    expect(resolveTelemetry(undefined, { OTEL_METRICS_EXPORTER: "otlp" }, SERVICE).metricsOtlp).toEqual({
      url: "http://localhost:4318/v1/metrics",
      intervalMs: 60_000,
    });
    expect(
      resolveTelemetry({ metrics: { endpoint: "http://f:4318" } }, { OTEL_METRICS_EXPORTER: "none" }, SERVICE)
        .metricsOtlp,
    ).toBeUndefined();
  });

  it("pipeline validate checks the telemetry: block like every other key", async () => {
    scratch = scratchDir();
    const file = scratch.write(
      "pipeline.yaml",
      yaml`
        id: traced
        plugins: [${JSON.stringify(TEST_PLUGIN)}]
        source: { type: test_numbers, count: 1 }
        sinks: [{ id: out, type: test_file, path: out.jsonl }]
        telemetry:
          servce_name: typo
          traces: { endpoint: not-a-url, sampleRatio: 2 }
      `,
    );
    const result = await prepareConfig(file, { registry: new ComponentRegistry(), env: {} });
    const lines = result.issues.map(formatIssue).join("\n");
    expect(result.pipeline).toBeUndefined();
    expect(lines).toMatch(/telemetry\.servce_name/);
    expect(lines).toMatch(/serviceName/); // did you mean
    expect(lines).toMatch(/telemetry\.traces\.endpoint/);
    expect(lines).toMatch(/telemetry\.traces\.sampleRatio/);
  });
});
