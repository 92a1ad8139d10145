import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readTopic } from "@pipekit/testkit-kafka";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parse, stringify } from "yaml";
import {
  type E2eStack,
  OtlpReceiver,
  type ReceivedSpan,
  runPipeline,
  runShield,
  startE2eStack,
  startShield,
  waitFor,
} from "../src/index.js";

// Real parts: the databricks-shield and pipeline processes export spans over OTLP/HTTP (protobuf)
// to a receiver that decodes them with opentelemetry-proto's own schema; the records go to the
// workspace emulator's tables → a real Kafka broker and the Akto emulator.
const ERROR = 2; // opentelemetry.proto.trace.v1.Status.STATUS_CODE_ERROR
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

function one(spans: readonly ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((s) => s.name === name);
  expect(found.map((s) => s.name)).toEqual([name]);
  return found[0]!;
}

function headerText(value: unknown): string | undefined {
  return value === undefined ? undefined : Buffer.isBuffer(value) ? value.toString("utf8") : String(value);
}

describe("traces of a real run over OTLP/HTTP", () => {
  let stack: E2eStack;
  let otlp: OtlpReceiver;

  beforeAll(async () => {
    stack = await startE2eStack({ kafkaBootstrap: inject("kafkaBootstrap"), rowsPerTable: 20, seed: 71 });
    otlp = await OtlpReceiver.start();
  });
  afterAll(async () => {
    await otlp?.close();
    await stack?.close();
  });

  it("databricks-shield -once: cycle → discovery, table reads, transform summaries, sink writes with attempts; Kafka records and Akto requests carry the trace", {
    timeout: 240_000,
  }, async () => {
    // Akto's first answer is a 503: the Akto write is retried, and its span says so.
    stack.akto.faults.inject({ kind: "status", status: 503, count: 1 });
    const run = await runShield(["-once", "--no-progress"], {
      ...stack.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=e2e",
      // Nothing leaves before the exit's flush: the spans received prove -once does not lose them.
      OTEL_BSP_SCHEDULE_DELAY: "600000",
      // Metrics pushed over OTLP too: the last push happens at exit.
      OTEL_METRICS_EXPORTER: "otlp",
      OTEL_METRIC_EXPORT_INTERVAL: "600000",
    });
    expect(run.code, run.stdout.slice(-2000) + run.stderr.slice(-2000)).toBe(0);

    expect(otlp.metricRequests).toBeGreaterThan(0);
    const spans = otlp.spans;
    const cycle = one(spans, "pipeline cycle");
    expect(cycle.parentSpanId).toBe("");
    expect(cycle.attributes).toMatchObject({
      "pipekit.pipeline.id": expect.any(String),
      "pipekit.cycle.outcome": "success",
      "pipekit.cycle.undelivered": 0,
    });
    expect(cycle.attributes["pipekit.cycle.received"]).toBeGreaterThan(0);
    expect(cycle.resource).toMatchObject({
      "service.name": "databricks-shield",
      "service.version": "0.1.0",
      "deployment.environment": "e2e",
    });
    // One trace per cycle; every other span is a child of the cycle's.
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([cycle.traceId]));
    for (const s of spans.filter((x) => x !== cycle)) expect(s.parentSpanId, s.name).toBe(cycle.spanId);

    const discovery = one(spans, "databricks discovery");
    expect(discovery.attributes["databricks.agents"]).toBeGreaterThan(0);
    const reads = otlp.spansNamed("databricks read table");
    const readTables = reads.map((r) => r.attributes["databricks.table"]);
    for (const table of stack.payloadTables) expect(readTables).toContain(table);
    const rowsRead = reads.reduce((n, r) => n + Number(r.attributes["databricks.rows_read"]), 0);
    expect(rowsRead).toBeGreaterThan(0);

    // Transforms: one summary span per stage for the cycle, not one per message.
    const stages = otlp.spansNamed(/^transform /);
    expect(stages.length).toBeGreaterThan(0);
    expect(new Set(stages.map((s) => s.name)).size).toBe(stages.length);
    for (const s of stages) expect(s.attributes["pipekit.events.received"]).toBeGreaterThan(0);

    const kafkaWrites = otlp.spansNamed("sink kafka write");
    const aktoWrites = otlp.spansNamed("sink akto write");
    expect(kafkaWrites.length).toBeGreaterThan(0);
    expect(aktoWrites.length).toBeGreaterThan(0);
    for (const w of [...kafkaWrites, ...aktoWrites]) {
      expect(w.attributes).toMatchObject({ "pipekit.outcome": "delivered", component_kind: "sink" });
      expect(w.attributes["pipekit.batch.events"]).toBeGreaterThan(0);
    }
    const retried = aktoWrites.filter((w) => w.attributes["pipekit.attempts"] === 2);
    expect(retried).toHaveLength(1);
    expect(retried[0]!.events).toEqual([
      {
        name: "exception",
        attributes: expect.objectContaining({
          "exception.message": expect.stringContaining("503"),
          "pipekit.attempt": 1,
          "pipekit.error_class": "retryable",
        }),
      },
    ]);
    // No secret in any attribute or event.
    const text = JSON.stringify(spans);
    expect(text).not.toContain(stack.ws.credentials.clientSecret);
    expect(text).not.toContain(stack.aktoToken);

    // Every Kafka record carries the traceparent of the write that sent it: a consumer joins the trace.
    const records = await readTopic(stack.kafkaBootstrap, stack.topic);
    expect(records.length).toBeGreaterThan(0);
    const kafkaSpanIds = new Set(kafkaWrites.map((w) => w.spanId));
    for (const record of records) {
      const parent = TRACEPARENT.exec(headerText(record.headers.traceparent) ?? "");
      expect(parent, "traceparent header").not.toBeNull();
      expect(parent![1]).toBe(cycle.traceId);
      expect(kafkaSpanIds.has(parent![2]!)).toBe(true);
    }
    // And so does every request to Akto, the retried one included.
    const aktoSpanIds = new Set(aktoWrites.map((w) => w.spanId));
    const ingests = stack.akto.requests.log.filter((r) => r.path === "/api/ingestData");
    expect(ingests.length).toBe(aktoWrites.length + 1);
    for (const r of ingests) {
      const parent = TRACEPARENT.exec(r.traceparent ?? "");
      expect(parent, "traceparent header").not.toBeNull();
      expect(parent![1]).toBe(cycle.traceId);
      expect(aktoSpanIds.has(parent![2]!)).toBe(true);
    }
  });

  it("pipeline run with a telemetry: block: an Akto outage makes its writes and the cycle ERROR spans", {
    timeout: 240_000,
  }, async () => {
    otlp.clear();
    const printed = await runShield(["--print-pipeline"], {
      ...stack.env,
      SHIELD_DRAIN_TIMEOUT_SECONDS: "2",
    });
    expect(printed.code, printed.stderr).toBe(0);
    const config = parse(printed.stdout) as Record<string, unknown>;
    // The endpoint comes from the file alone here (no OTEL_* variable).
    config.telemetry = { serviceName: "pipekit-e2e", traces: { endpoint: otlp.url } };
    const file = join(stack.stateDir, "traced-pipeline.yaml");
    await writeFile(file, stringify(config));
    await stack.addRows(3, { table: stack.payloadTables[0]!, minutesAgo: 10 });
    stack.akto.faults.inject({ kind: "status", status: 503, count: 1_000_000 });

    const run = await runPipeline(["run", file, "--once", "--deadline", "8", "--no-progress"], stack.env);
    stack.akto.faults.clear();
    expect(run.code, run.stdout.slice(-2000) + run.stderr.slice(-2000)).toBe(3);

    const cycle = one(otlp.spans, "pipeline cycle");
    expect(cycle.resource["service.name"]).toBe("pipekit-e2e");
    expect(cycle.status.code).toBe(ERROR);
    expect(cycle.attributes["pipekit.cycle.outcome"]).toBe("sink_unavailable");
    const aktoWrites = otlp.spansNamed("sink akto write");
    expect(aktoWrites.length).toBeGreaterThan(0);
    for (const w of aktoWrites) {
      expect(w.parentSpanId).toBe(cycle.spanId);
      expect(w.status.code).toBe(ERROR);
      expect(w.status.message).toContain("503");
      expect(w.attributes["pipekit.outcome"]).toBe("undelivered");
      expect(w.events.length).toBe(Number(w.attributes["pipekit.attempts"]));
      for (const e of w.events) expect(e.name).toBe("exception");
    }
    for (const w of otlp.spansNamed("sink kafka write"))
      expect(w.attributes["pipekit.outcome"]).toBe("delivered");
  });

  it("a service flushes its spans when SIGTERM drains it", { timeout: 240_000 }, async () => {
    otlp.clear();
    await stack.addRows(2, { table: stack.payloadTables[0]!, minutesAgo: 5 });
    const service = startShield(["--no-progress"], {
      ...stack.env,
      RECURRING_INTERVAL_SECONDS: "3600",
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_BSP_SCHEDULE_DELAY: "600000",
    });
    try {
      await waitFor(
        () => /"msg":"cycle summary"/.test(service.stdout) || service.hasExited,
        "a first cycle",
        120_000,
      );
      expect(otlp.spans).toEqual([]); // held in the batch processor until the drain
      const exit = await service.terminate();
      expect(exit.code, exit.stderr.slice(-2000)).toBe(0);
      const cycle = one(otlp.spans, "pipeline cycle");
      expect(cycle.resource["service.name"]).toBe("databricks-shield");
      expect(otlp.spansNamed("sink akto write").length).toBeGreaterThan(0);
    } finally {
      await service.terminate();
    }
  });
});
