/** What the demo reports about the Akto records it wrote: counted from the output itself. */
export interface OutputSummary {
  readonly agents: Set<string>;
  readonly executions: number;
  readonly toolCalls: number;
  /** Redaction markers found in the records, by detector (`[REDACTED:EMAIL]` → EMAIL). */
  readonly redactions: Map<string, number>;
  /** The Databricks request / trace id of each execution record (x-databricks-request-id). */
  readonly executionIds: string[];
}

const MARKER = /\[REDACTED:([A-Z0-9_]+)\]/g;

export function summariseOutput(jsonl: string): OutputSummary {
  const summary: OutputSummary = {
    agents: new Set(),
    executions: 0,
    toolCalls: 0,
    redactions: new Map(),
    executionIds: [],
  };
  let executions = 0;
  let toolCalls = 0;
  for (const line of jsonl.split("\n")) {
    if (!line.trim()) continue;
    const record = JSON.parse(line) as { tag?: string; requestHeaders?: string };
    const tag = JSON.parse(record.tag ?? "{}") as Record<string, string>;
    if (tag["ai-agent"]) summary.agents.add(tag["ai-agent"]);
    const isTool = (record.requestHeaders ?? "").includes("x-akto-parent-request-id");
    if (isTool) toolCalls++;
    else {
      executions++;
      const headers = JSON.parse(record.requestHeaders ?? "{}") as Record<string, string>;
      const id = headers["x-databricks-request-id"];
      if (id) summary.executionIds.push(id);
    }
    for (const match of line.matchAll(MARKER)) {
      const kind = match[1] ?? "UNKNOWN";
      summary.redactions.set(kind, (summary.redactions.get(kind) ?? 0) + 1);
    }
  }
  return { ...summary, executions, toolCalls };
}
