/**
 * Golden normalisation of every execution surface, from inputs written after the public shapes
 * (each fixture's "source" names the facts in docs/databricks-surfaces.md it follows): the whole
 * AgentExecution must match `<name>.expected.json`. UPDATE_GOLDEN=1 rewrites the expectations
 * (review the diff: a golden is a claim about the real shape).
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type AgentExecution, AgentExecutionSchema, type AgentRef } from "@pipekit/agent-execution";
import { describe, expect, it } from "vitest";
import type { TableKind } from "../src/index.js";
import { normaliseRow, type TraceRow } from "../src/index.js";
import { endpointOfUnit } from "../src/normalise/endpoint-of.js";
import { normaliseTraceInfo } from "../src/normalise/normalise-trace-info.js";
import { servedByTableEndpoint } from "../src/read/experiment-trace-reader.js";

const dir = join(dirname(fileURLToPath(import.meta.url)), "fixtures/surfaces");
const ORIGIN = { workspace: "adb-1.azuredatabricks.net", table: "workspace.default.fixture" };

interface Fixture {
  source: string;
  kind: TableKind | "experiment-traces";
  agent: AgentRef;
  row?: Record<string, unknown> | TraceRow;
  info?: Record<string, unknown>;
  spans?: Record<string, unknown>[];
}

function normalise(f: Fixture): AgentExecution {
  if (f.kind === "experiment-traces") return normaliseTraceInfo(f.info!, f.spans, f.agent, ORIGIN);
  return normaliseRow(f.row!, f.kind, f.agent, ORIGIN);
}

const names = readdirSync(dir)
  .filter((n) => n.endsWith(".input.json"))
  .map((n) => n.replace(/\.input\.json$/, ""))
  .sort();

describe("golden normalisation per surface", () => {
  it("has a fixture for every surface", () => {
    const kinds = new Set(
      names.map((n) => (JSON.parse(readFileSync(join(dir, `${n}.input.json`), "utf8")) as Fixture).kind),
    );
    expect([...kinds].sort()).toEqual([
      "ai-gateway",
      "ai-gateway-beta",
      "experiment-traces",
      "trace",
      "trace-view",
    ]);
  });

  it("names the agent of rows in tables many agents share", () => {
    const endpointOf = (name: string) =>
      endpointOfUnit((JSON.parse(readFileSync(join(dir, `${name}.input.json`), "utf8")) as Fixture).row!);
    expect(endpointOf("ai-gateway-beta")).toBe("gateway-concierge"); // endpoint_name
    expect(endpointOf("otel-spans-v2")).toBe("support-agent"); // service_name
    expect(endpointOf("otel-spans-v1")).toBe("support-agent"); // resource.attributes['service.name']
    expect(endpointOf("trace-view")).toBe("support-agent"); // trace_metadata
  });

  it("leaves out experiment traces of requests an inference table read holds already", () => {
    const served = (endpoint: string | undefined) => ({
      trace_id: "tr-1",
      trace_metadata:
        endpoint === undefined ? {} : { "mlflow.databricks.modelServingEndpointName": endpoint },
    });
    const withTables = new Set(["support-agent"]);
    expect(servedByTableEndpoint(served("support-agent"), withTables)).toBe(true);
    expect(servedByTableEndpoint(served("other-agent"), withTables)).toBe(false);
    // Notebook / Databricks Apps traces name no endpoint (empty or absent): they are read.
    expect(servedByTableEndpoint(served(""), withTables)).toBe(false);
    expect(servedByTableEndpoint(served(undefined), withTables)).toBe(false);
  });

  for (const name of names) {
    it(name, () => {
      const fixture = JSON.parse(readFileSync(join(dir, `${name}.input.json`), "utf8")) as Fixture;
      const execution = normalise(fixture);
      expect(AgentExecutionSchema.safeParse(execution).success).toBe(true);
      // Tool calls lie inside their execution, whatever clock the spans were written with.
      for (const t of execution.toolCalls) {
        if (t.startTime === undefined) continue;
        expect(t.startTime).toBeGreaterThanOrEqual(execution.startTime);
        expect(t.startTime + (t.durationMs ?? 0)).toBeLessThanOrEqual(
          execution.startTime + (execution.durationMs ?? 0),
        );
      }
      const expectedFile = join(dir, `${name}.expected.json`);
      if (process.env.UPDATE_GOLDEN === "1")
        writeFileSync(expectedFile, `${JSON.stringify(execution, null, 2)}\n`);
      expect(JSON.parse(JSON.stringify(execution))).toEqual(JSON.parse(readFileSync(expectedFile, "utf8")));
    });
  }
});
