/**
 * AI Gateway rows as the emulator seeds them (three agents, one per task, 256 templates each), for
 * the benchmarks that run the per-message path without I/O.
 */
import type { AgentExecution } from "@pipekit/agent-execution";
import { createMessage, type Message } from "@pipekit/core";
// The normaliser by file (not the package entry): only it is under test, not the source's I/O.
import { normaliseRow } from "../../packages/source-databricks/src/normalise/normalise-row.js";
import { type AgentTask, buildTemplates } from "../../packages/testkit-databricks/src/seed/payloads.js";
import { Prng } from "../../packages/testkit-databricks/src/seed/prng.js";

export interface SeededRow {
  readonly row: Record<string, unknown>;
  readonly task: AgentTask;
  readonly endpoint: string;
}

export function seedRows(count: number, seed: number): SeededRow[] {
  const prng = new Prng(seed);
  const tasks: AgentTask[] = ["agent/v2/chat", "agent/v1/responses", "llm/v1/chat"];
  const pools = tasks.map((task, i) => ({
    task,
    endpoint: `agent-${i}`,
    templates: buildTemplates(prng, { task, endpoint: `agent-${i}`, model: `main.agents.model_${i}` }, 256),
  }));
  const start = Date.UTC(2026, 11, 1, 12);
  return Array.from({ length: count }, (_, i) => {
    const pool = pools[i % pools.length]!;
    const t = pool.templates[Math.floor(i / pools.length) % pool.templates.length]!;
    return {
      task: pool.task,
      endpoint: pool.endpoint,
      row: {
        databricks_request_id: `req-${i}`,
        request_time: new Date(start + i * 10).toISOString(),
        status_code: t.statusCode,
        execution_duration_ms: t.durationMs,
        request: t.request,
        response: t.response,
        requester: t.requester,
        logging_error_codes: t.loggingErrorCodes,
      },
    };
  });
}

/** The rows as the source's normaliser makes them messages (the seed's malformed rows left out). */
export function normaliseSeeded(rows: readonly SeededRow[]): Message<AgentExecution>[] {
  const executions: Message<AgentExecution>[] = [];
  for (const { row, task, endpoint } of rows) {
    try {
      const e = normaliseRow(
        row,
        "ai-gateway",
        { endpoint, task },
        { workspace: "adb-1.2.azuredatabricks.net", table: "w.d.t" },
      );
      executions.push(createMessage(e.requestId, e, {}, 512 + e.rawRequest.length + e.rawResponse.length));
    } catch {
      // the seed's malformed rows: the source dead-letters them
    }
  }
  return executions;
}
