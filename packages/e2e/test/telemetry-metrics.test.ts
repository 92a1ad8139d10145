import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parse, stringify } from "yaml";
import {
  dashboardMetricNames,
  type E2eStack,
  parsePrometheusText,
  promqlMetricNames,
  REPO_ROOT,
  type RunnerProcess,
  runShield,
  type Sample,
  startE2eStack,
  startPipeline,
  waitFor,
} from "../src/index.js";

// A real `pipeline run` service (the shield's pipeline on a 2-second interval) serving /metrics,
// against the workspace emulator, a real Kafka broker and the Akto emulator. Scraped after a
// delivered cycle and again after a cycle Akto refused.
const DEPLOY = join(REPO_ROOT, "apps/databricks-shield/deploy");

async function scrape(port: number): Promise<Sample[]> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  return parsePrometheusText(await res.text());
}

function find(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}

function value(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = find(samples, name, labels);
  expect(found.length, `${name} ${JSON.stringify(labels)}`).toBeGreaterThan(0);
  return found.reduce((n, s) => n + s.value, 0);
}

describe("/metrics of a running service across cycles", () => {
  let stack: E2eStack;
  let service: RunnerProcess | undefined;

  beforeAll(async () => {
    stack = await startE2eStack({ kafkaBootstrap: inject("kafkaBootstrap"), rowsPerTable: 20, seed: 83 });
  });
  afterAll(async () => {
    await service?.terminate();
    await stack?.close();
  });

  it("exports the operator's metrics with their labels; the dashboard and alerts use only exported names", {
    timeout: 240_000,
  }, async () => {
    const printed = await runShield(["--print-pipeline"], { ...stack.env, RECURRING_INTERVAL_SECONDS: "2" });
    expect(printed.code, printed.stderr).toBe(0);
    const config = parse(printed.stdout) as {
      http?: unknown;
      sinks: { id: string; retry?: unknown }[];
    };
    config.http = { port: 0, host: "127.0.0.1" };
    // Akto's outage should fail a cycle quickly here, not ride it out for minutes.
    for (const sink of config.sinks)
      if (sink.id === "akto")
        sink.retry = { maxAttempts: 2, initialDelayMs: 20, maxDelayMs: 50, maxElapsedMs: 1_000 };
    const file = join(stack.stateDir, "service-pipeline.yaml");
    await writeFile(file, stringify(config));

    service = startPipeline(["run", file, "--no-progress"], stack.env);
    const running = service;
    let port = 0;
    await waitFor(
      () => {
        const m = /"port":(\d+)[^\n]*serving \/healthz/.exec(running.stdout);
        if (m) port = Number(m[1]);
        return port > 0 || running.hasExited;
      },
      "the service's port",
      60_000,
    );
    expect(running.hasExited, running.stderr.slice(-2000)).toBe(false);

    // First scrape: after one delivered cycle.
    await waitFor(
      async () =>
        find(await scrape(port), "pipekit_pipeline_cycles_total", { outcome: "success" }).length > 0,
      "a delivered cycle",
      120_000,
      200,
    );
    const first = await scrape(port);
    const pipeline = { pipeline_id: "databricks-shield" };
    expect(value(first, "target_info", { service_name: "pipekit-pipeline" })).toBe(1);
    expect(find(first, "target_info")[0]!.labels.service_version).toBe("0.1.0");
    const lastSuccess = value(first, "pipekit_pipeline_last_success_timestamp_seconds", pipeline);
    expect(lastSuccess * 1000).toBeGreaterThan(Date.now() - 120_000);
    expect(lastSuccess * 1000).toBeLessThanOrEqual(Date.now());
    expect(
      value(first, "pipekit_pipeline_cycle_duration_seconds_count", { ...pipeline, outcome: "success" }),
    ).toBeGreaterThan(0);
    expect(value(first, "pipekit_pipeline_checkpoint_age_seconds", pipeline)).toBeGreaterThanOrEqual(0);
    // The seeded malformed rows: dead letters by reason.
    expect(
      value(first, "component_dead_letters_total", { component_id: "source", reason: "rejected_by_source" }),
    ).toBe(stack.malformedIds().length);
    for (const table of stack.payloadTables) {
      const behind = value(first, "databricks_source_table_rows_behind_seconds", { table });
      expect(behind).toBeGreaterThan(60); // the newest seeded row is ~2 minutes old
      expect(behind).toBeLessThan(3600);
    }
    expect(find(first, "component_in_flight_events", { component_id: "databricks-shield" })).toHaveLength(1);
    expect(
      find(first, "component_in_flight_event_bytes", { component_id: "databricks-shield" }),
    ).toHaveLength(1);
    expect(value(first, "pipekit_pipeline_schedule_interval_seconds", pipeline)).toBe(2);
    expect(value(first, "databricks_source_lookback_seconds")).toBe(3600);
    // Process and Node runtime (OTel semantic-convention names; this exporter adds no unit suffix).
    expect(value(first, "process_memory_usage")).toBeGreaterThan(10 * 2 ** 20);
    expect(value(first, "process_cpu_time_total", { process_cpu_state: "user" })).toBeGreaterThan(0);
    expect(value(first, "v8js_memory_heap_used", { v8js_heap_space_name: "old_space" })).toBeGreaterThan(0);
    expect(value(first, "nodejs_eventloop_delay_p99")).toBeGreaterThan(0);
    expect(find(first, "v8js_gc_duration_count").length).toBeGreaterThan(0);

    // Second scrape: after a cycle Akto refused (503): failed by reason, last success unchanged.
    stack.akto.faults.inject({ kind: "status", status: 503, count: 1_000_000 });
    await stack.addRows(2, { table: stack.payloadTables[0]!, minutesAgo: 5 });
    await waitFor(
      async () =>
        find(await scrape(port), "pipekit_pipeline_cycles_failed_total", { reason: "sink_unavailable" })
          .length > 0,
      "a cycle Akto refused",
      120_000,
      200,
    );
    const second = await scrape(port);
    stack.akto.faults.clear();
    expect(
      value(second, "pipekit_pipeline_cycles_failed_total", { ...pipeline, reason: "sink_unavailable" }),
    ).toBeGreaterThan(0);
    expect(value(second, "pipekit_pipeline_last_success_timestamp_seconds", pipeline)).toBeGreaterThanOrEqual(
      lastSuccess,
    );
    expect(
      value(second, "pipekit_pipeline_cycle_duration_seconds_count", {
        ...pipeline,
        outcome: "sink_unavailable",
      }),
    ).toBeGreaterThan(0);
    const behindNow = value(second, "databricks_source_table_rows_behind_seconds", {
      table: stack.payloadTables[0]!,
    });
    expect(behindNow).toBeLessThan(6 * 60); // the added rows are 5 minutes old

    // Every metric the dashboard and the alert rules query is one this process exports.
    const exported = new Set(second.map((s) => s.name));
    const dashboard = await readFile(join(DEPLOY, "grafana-dashboard.json"), "utf8");
    const alerts = await readFile(join(DEPLOY, "prometheus-alerts.yaml"), "utf8");
    const referenced = dashboardMetricNames(dashboard, alerts);
    expect(referenced.length).toBeGreaterThan(8);
    expect(referenced.filter((n) => !exported.has(n))).toEqual([]);
  });
});

describe("the PromQL name check", () => {
  it("finds every selected metric, not functions, labels, Grafana variables or durations", () => {
    expect(
      promqlMetricNames(
        'sum by (le) (rate(a_bucket{pipeline_id=~"$pipeline"}[$__rate_interval])) / on(job) group_left b > 3 * c',
      ),
    ).toEqual(["a_bucket", "b", "c"]);
    expect(() => promqlMetricNames("sum(rate(a[5m])")).toThrow(/does not parse/);
  });
});
