import { metrics } from "@opentelemetry/api";
import type { AgentExecution } from "@pipekit/agent-execution";
import { MemoryCheckpointStore } from "@pipekit/core/builtins";
import {
  type SeededTable,
  startWorkspaceEmulator,
  type WorkspaceEmulator,
} from "@pipekit/testkit-databricks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabricksSource, type DatabricksSource } from "../src/index.js";
import { runCycle, sourceContext } from "./harness.js";
import { recordingLogger } from "./helpers.js";

const NOW = Date.UTC(2026, 10, 20, 9, 0, 0);
const meter = metrics.getMeter("surfaces-test");

/**
 * Every execution surface at once, through the real driver over HTTPS + OAuth: AI Gateway,
 * AI Gateway (Beta) and legacy payload tables (with embedded traces), MLflow traces in Unity
 * Catalog v1 (span table) and v2 (read through its unified view, not its span table).
 */
// Arrow (what a real warehouse answers, complex values native) and column-based results (complex
// values as JSON text) must read the same.
describe.each(["auto", "columns"] as const)("execution surfaces (%s results)", (resultFormat) => {
  let ws: WorkspaceEmulator;
  let source: DatabricksSource;
  const store = new MemoryCheckpointStore();

  beforeAll(async () => {
    ws = await startWorkspaceEmulator({
      seed: 11,
      rowsPerTable: 40,
      agents: 1,
      now: NOW,
      surfaces: ["ai-gateway-beta", "uc-traces-v1", "uc-traces-v2", "experiment-traces"],
      resultFormat,
      tracesPerTable: 6,
      tracesPerAgent: 7,
      pageSize: 5,
    });
    source = createDatabricksSource(
      {
        host: ws.url,
        clientId: ws.credentials.clientId,
        clientSecret: ws.credentials.clientSecret,
        caCert: ws.caPem,
        lookBackMinutes: 90,
        safetyLagSeconds: 0,
      },
      { now: () => NOW },
    );
  }, 60_000);
  afterAll(async () => {
    await source?.close();
    await ws?.close();
  });

  /** The tables a reader should take executions from: the v2 span table is covered by its view. */
  const readable = (t: SeededTable) =>
    t.kind !== "unrelated" &&
    t.kind !== "deprecated_request_logs" &&
    t.kind !== "uc_trace_auxiliary" &&
    t.kind !== "uc_trace_spans_v2";

  it("reads each surface exactly once, with per-surface counts, and nothing again next cycle", async () => {
    const logger = recordingLogger();
    const first = await runCycle(source, store, { ...sourceContext(store, meter), logger });
    const experimentTraces = ws.manifest.experimentTraces ?? [];
    expect(experimentTraces.length).toBeGreaterThan(0);
    const expected = [
      ...ws.manifest.tables.filter(readable).flatMap((t) => t.rows ?? []),
      ...experimentTraces,
    ]
      .filter((r) => !r.malformed)
      .map((r) => r.id)
      .sort();
    const got = first.messages.map((m) => m.id).sort();
    expect(got).toEqual(expected);
    expect(new Set(got).size).toBe(got.length);

    const malformed = [
      ...ws.manifest.tables.filter(readable).flatMap((t) => t.rows ?? []),
      ...experimentTraces,
    ]
      .filter((r) => r.malformed)
      .map((r) => r.id)
      .sort();
    expect(first.rejected.map((r) => r.message.id).sort()).toEqual(malformed);

    const summary = (source as unknown as { cycleSummary(): Record<string, number> }).cycleSummary();
    const count = (kinds: string[]) =>
      ws.manifest.tables
        .filter((t) => readable(t) && kinds.includes(t.kind))
        .flatMap((t) => t.rows ?? [])
        .filter((r) => !r.malformed).length;
    expect(summary["executions.ai-gateway"]).toBe(count(["ai_gateway_payload"]));
    expect(summary["executions.ai-gateway-beta"]).toBe(count(["ai_gateway_beta_payload"]));
    expect(summary["executions.legacy"]).toBe(count(["legacy_payload"]));
    expect(summary["executions.trace"]).toBe(count(["uc_trace_spans_v1"]));
    expect(summary["executions.trace-view"]).toBe(count(["uc_trace_unified_view"]));
    expect(summary["executions.experiment-traces"]).toBe(experimentTraces.filter((t) => !t.malformed).length);
    // Agents: agent-task endpoints discovered, and the endpoints of the executions emitted (what
    // the records are tagged with, LLM endpoints included).
    const endpoints = new Set(first.messages.map((m) => m.value.agent.endpoint));
    expect(summary.agentsWithExecutions).toBe(endpoints.size);
    expect(summary.agents).toBe(ws.manifest.agents.filter((a) => a.task.startsWith("agent/")).length);

    const inventory = source.inventory()!;
    expect(inventory.coveredByViews).toEqual([
      `${ws.manifest.catalog}.${ws.manifest.schema}.mlflow_traces_otel_spans`,
    ]);
    // `orders` matches the (empty) prefix and fits no layout: named in the log with its columns.
    const unknown = logger.lines.find(
      (l) =>
        (l.msg ?? "").includes("no known execution layout") &&
        (l.obj as { table?: string }).table === "workspace.default.orders",
    );
    expect((unknown?.obj as { columns?: string[] } | undefined)?.columns).toEqual([
      "order_id",
      "customer_email",
      "amount",
      "status",
      "created_at",
    ]);

    const second = await runCycle(source, store, sourceContext(store, meter));
    expect(second.messages).toEqual([]);
    expect(second.rejected).toEqual([]);
  }, 120_000);

  it("trace executions carry their agent, and every tool call lies within its execution", async () => {
    const fresh = new MemoryCheckpointStore();
    const all = (await runCycle(source, fresh, sourceContext(fresh, meter))).messages.map((m) => m.value);
    const traces = all.filter((e) => e.payloadFormat === "trace");
    expect(traces.length).toBeGreaterThan(0);
    const agentEndpoints = ws.manifest.agents
      .filter((a) => a.task.startsWith("agent/"))
      .map((a) => a.endpoint);
    for (const e of traces) expect(agentEndpoints).toContain(e.agent.endpoint);
    const withTools = all.filter((e) => e.toolCalls.some((t) => t.startTime !== undefined));
    expect(withTools.length).toBeGreaterThan(0);
    for (const e of withTools) expectToolTimesInside(e);
  }, 120_000);

  it("catches late rows and traces in every new surface, once", async () => {
    const v1 = await ws.insertLateRows(2, { table: "mlflow_experiment_trace_otel_spans", minutesAgo: 30 });
    const v2 = await ws.insertLateRows(2, { table: "mlflow_traces_trace_unified", minutesAgo: 30 });
    const experiment = ws.manifest.agents.find((a) => a.experimentTracing)!.experimentId;
    const rest = await ws.insertLateRows(3, { table: `mlflow-experiment:${experiment}`, minutesAgo: 30 });
    const beta = await ws.insertLateRows(3, { table: "gateway_concierge_payload", minutesAgo: 30 });
    const next = await runCycle(source, store, sourceContext(store, meter));
    expect(next.messages.map((m) => m.id).sort()).toEqual(
      [...v1, ...v2, ...rest, ...beta].map((r) => r.id).sort(),
    );
    expect((await runCycle(source, store, sourceContext(store, meter))).messages).toEqual([]);
  }, 120_000);
});

function expectToolTimesInside(e: AgentExecution): void {
  const end = e.startTime + (e.durationMs ?? 0);
  for (const t of e.toolCalls) {
    if (t.startTime === undefined) continue;
    expect(t.startTime, `${e.requestId} tool ${t.name}`).toBeGreaterThanOrEqual(e.startTime);
    expect(t.startTime + (t.durationMs ?? 0), `${e.requestId} tool ${t.name}`).toBeLessThanOrEqual(end);
  }
}
