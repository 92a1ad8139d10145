import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorkspaceEmulator, type WorkspaceEmulator } from "../src/index.js";
import { accessToken, restGet } from "./helpers.js";

const NOW = Date.UTC(2026, 10, 18, 12, 0, 0);

/** The opt-in execution surfaces, as Unity Catalog, SQL and MLflow REST show them. */
describe("execution surfaces", () => {
  let ws: WorkspaceEmulator;
  let token: string;

  beforeAll(async () => {
    ws = await startWorkspaceEmulator({
      seed: 5,
      rowsPerTable: 30,
      agents: 1,
      now: NOW,
      surfaces: ["ai-gateway-beta", "uc-traces-v1", "uc-traces-v2", "experiment-traces"],
      tracesPerTable: 4,
      tracesPerAgent: 6,
    });
    token = await accessToken(ws);
  }, 60_000);
  afterAll(() => ws?.close());

  const table = async (name: string) =>
    (await restGet(ws, `/api/2.1/unity-catalog/tables/workspace.default.${name}`, token)).body as {
      table_type: string;
      properties: Record<string, string>;
      columns: { name: string; type_text: string; type_name: string }[];
    };

  it("lists the trace tables and views with their layouts", async () => {
    const v2 = await table("mlflow_traces_otel_spans");
    expect(v2.properties["otel.schemaVersion"]).toBe("v2");
    expect(v2.columns.slice(0, 4).map((c) => c.name)).toEqual(["record_id", "time", "date", "service_name"]);
    expect(v2.columns.find((c) => c.name === "attributes")?.type_name).toBe("VARIANT");
    expect(v2.columns.find((c) => c.name === "status")?.type_text).toBe("struct<message:string,code:string>");
    const v1 = await table("mlflow_experiment_trace_otel_spans");
    expect(v1.columns.find((c) => c.name === "attributes")?.type_text).toBe("map<string,string>");
    for (const view of ["mlflow_traces_trace_unified", "mlflow_traces_trace_metadata"]) {
      expect((await table(view)).table_type).toBe("VIEW");
    }
    const beta = await table("gateway_concierge_payload");
    expect(beta.columns.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        "event_time",
        "invocation_id",
        "status_code",
        "latency_ms",
        "logging_error_codes",
      ]),
    );
  });

  it("the unified view holds each v2 trace once, with its root span's times and its spans", async () => {
    const seeded = ws.manifest.tables.find((t) => t.kind === "uc_trace_unified_view")!.rows!;
    const rows = await ws.sql(
      "SELECT trace_id, request_time, state, execution_duration_ms, spans FROM workspace.default.mlflow_traces_trace_unified",
    );
    expect(rows.map((r) => r.trace_id).sort()).toEqual(seeded.map((r) => r.id).sort());
    for (const r of rows) {
      const want = seeded.find((s) => s.id === r.trace_id)!;
      expect(new Date(r.request_time as string).getTime()).toBe(want.requestTime);
      expect(r.state).toBe(want.statusCode === 200 ? "OK" : "ERROR");
    }
    const spans = await ws.sql(
      "SELECT count(*) AS roots FROM workspace.default.mlflow_traces_otel_spans WHERE parent_span_id = ''",
    );
    expect(Number(spans[0]?.roots)).toBe(seeded.length);
  });

  it("embedded traces run on the row's clock: children inside the root, which lasts the row's duration", async () => {
    const rows = await ws.sql(
      "SELECT request_time, execution_duration_ms, response FROM workspace.default.support_agent_payload WHERE response LIKE '%databricks_output%'",
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const start = new Date(row.request_time as string).getTime();
      const duration = Number(row.execution_duration_ms);
      const trace = (JSON.parse(row.response as string) as { databricks_output: { trace: EmbeddedTrace } })
        .databricks_output.trace;
      expect(trace.info.execution_duration_ms).toBe(duration);
      expect(Date.parse(trace.info.request_time)).toBe(start);
      for (const span of trace.data.spans) {
        const from = Number(BigInt(span.start_time_unix_nano) / 1_000_000n);
        const to = Number(BigInt(span.end_time_unix_nano) / 1_000_000n);
        expect(from).toBeGreaterThanOrEqual(start);
        expect(to).toBeLessThanOrEqual(start + duration);
        expect(["STATUS_CODE_OK", "STATUS_CODE_ERROR"]).toContain(span.status.code);
      }
    }
  });

  it("experiment traces: endpoints name their experiment, span data behind a presigned link", async () => {
    const endpoints = (await restGet(ws, "/api/2.0/serving-endpoints", token)).body.endpoints as {
      name: string;
      config: { served_entities: { environment_vars: Record<string, string> }[] };
    }[];
    const agent = ws.manifest.agents.find((a) => a.experimentTracing)!;
    const endpoint = endpoints.find((e) => e.name === agent.endpoint)!;
    expect(endpoint.config.served_entities[0]?.environment_vars.MLFLOW_EXPERIMENT_ID).toBe(
      agent.experimentId,
    );

    const trace = ws.manifest.experimentTraces!.find((t) => t.experimentId === agent.experimentId)!;
    const credentials = await restGet(
      ws,
      `/api/2.0/mlflow/traces/${trace.id}/credentials-for-data-download`,
      token,
    );
    const uri = (credentials.body.credential_info as { signed_uri: string }).signed_uri;
    // Presigned: fetched without the token.
    const data = (await (await ws.fetch(uri)).json()) as { spans: { parent_span_id: string }[] };
    expect(data.spans.filter((s) => s.parent_span_id === "").length).toBe(1);
    const anonymous = await ws.fetch(
      `${ws.url}/api/2.0/mlflow/traces/${trace.id}/credentials-for-data-download`,
    );
    expect(anonymous.status).toBe(401);
  });
});

interface EmbeddedTrace {
  info: { request_time: string; execution_duration_ms: number };
  data: { spans: { start_time_unix_nano: string; end_time_unix_nano: string; status: { code: string } }[] };
}
