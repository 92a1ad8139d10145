import { afterEach, describe, expect, it } from "vitest";
import { HttpEndpoints } from "../src/service/http-server.js";
import { createRunnerMetrics } from "../src/service/metrics.js";

let endpoints: HttpEndpoints | undefined;
afterEach(async () => {
  await endpoints?.close();
  endpoints = undefined;
});

describe("health, readiness and metrics over HTTP", () => {
  it("serves /healthz, /readyz (503 with detail when a component is not healthy) and Prometheus /metrics", async () => {
    const runnerMetrics = createRunnerMetrics();
    let sinkHealthy = true;
    endpoints = new HttpEndpoints({
      port: 0,
      host: "127.0.0.1",
      metrics: runnerMetrics.handle,
      readiness: async () => ({
        source: { ok: true },
        akto: sinkHealthy ? { ok: true } : { ok: false, detail: "connection refused" },
      }),
    });
    const { port } = await endpoints.start();
    const base = `http://127.0.0.1:${port}`;
    runnerMetrics.meterProvider
      .getMeter("test")
      .createCounter("component_sent_events_total")
      .add(3, { component_id: "akto" });

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });

    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);

    sinkHealthy = false;
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({
      status: "not ready",
      components: { source: { ok: true }, akto: { ok: false, detail: "connection refused" } },
    });

    const scrape = await fetch(`${base}/metrics`);
    expect(scrape.status).toBe(200);
    const text = await scrape.text();
    expect(text).toMatch(/# TYPE component_sent_events_total counter/);
    expect(text).toMatch(/component_sent_events_total\{component_id="akto"[^}]*\} 3/);

    expect((await fetch(`${base}/nope`)).status).toBe(404);
    await runnerMetrics.shutdown();
  });

  it("reports not ready when a health check hangs past the timeout", async () => {
    endpoints = new HttpEndpoints({
      port: 0,
      host: "127.0.0.1",
      readinessTimeoutMs: 50,
      metrics: (_q, s) => s.end(),
      readiness: () => new Promise(() => {}),
    });
    const { port } = await endpoints.start();
    const response = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(response.status).toBe(503);
    expect(JSON.stringify(await response.json())).toContain("longer than 50ms");
  });
});
