import { describe, expect, it } from "vitest";
import { type AgentExecution, AgentExecutionSchema, agentExecutionIssues } from "../src/index.js";

const valid: AgentExecution = {
  platform: "databricks",
  workspace: "adb-1.2.azuredatabricks.net",
  agent: { endpoint: "support", model: "main.a.m", modelVersion: "2", task: "agent/v2/chat" },
  requestId: "r1",
  clientRequestId: "c1",
  table: "w.d.t",
  startTime: 1_777_630_000_000,
  durationMs: 120,
  statusCode: 200,
  status: "ok",
  payloadFormat: "chat-agent",
  input: [{ role: "user", content: "hi", name: "u" }],
  output: [{ role: "assistant", content: "hello", toolCallId: "t" }],
  toolCalls: [{ id: "t", name: "lookup", arguments: "{}", result: "{}", startTime: 1, durationMs: 2 }],
  usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 },
  requester: "a@example.com",
  rawRequest: "{}",
  rawResponse: "{}",
  attributes: { traceId: "x" },
};

/** Sets `path` (dot-separated, numbers index arrays) to `value` in a deep copy; undefined deletes. */
function withField(path: string, value: unknown): unknown {
  const copy = structuredClone(valid) as unknown as Record<string, unknown>;
  const keys = path.split(".");
  let target: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  const last = keys.at(-1)!;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return copy;
}

const paths = [
  "platform",
  "workspace",
  "agent",
  "agent.endpoint",
  "agent.model",
  "agent.modelVersion",
  "agent.task",
  "requestId",
  "clientRequestId",
  "table",
  "startTime",
  "durationMs",
  "statusCode",
  "status",
  "payloadFormat",
  "input",
  "input.0",
  "input.0.role",
  "input.0.content",
  "input.0.name",
  "output.0.toolCallId",
  "toolCalls",
  "toolCalls.0",
  "toolCalls.0.id",
  "toolCalls.0.name",
  "toolCalls.0.arguments",
  "toolCalls.0.result",
  "toolCalls.0.startTime",
  "toolCalls.0.durationMs",
  "toolCalls.0.error",
  "usage",
  "usage.totalTokens",
  "error",
  "requester",
  "rawRequest",
  "rawResponse",
  "attributes",
  "attributes.traceId",
];
const wrongValues: unknown[] = [
  undefined,
  null,
  "text",
  42,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  2 ** 60,
  true,
  [],
  {},
  "error",
];

describe("agentExecutionIssues", () => {
  it("accepts a valid execution, with and without the optional fields", () => {
    expect(agentExecutionIssues(valid)).toBeUndefined();
    const { attributes, usage, error, requester, clientRequestId, durationMs, ...required } = valid;
    expect(agentExecutionIssues(required)).toBeUndefined();
  });

  it("agrees with the zod schema on every field set to every kind of wrong value", () => {
    let rejected = 0;
    for (const path of paths) {
      for (const wrong of wrongValues) {
        const value = withField(path, wrong);
        const zodOk = AgentExecutionSchema.safeParse(value).success;
        const issues = agentExecutionIssues(value);
        expect({ path, wrong: String(wrong), ok: issues === undefined }).toEqual({
          path,
          wrong: String(wrong),
          ok: zodOk,
        });
        if (!zodOk) rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(paths.length * 5);
  });

  it("names the bad fields without echoing their values", () => {
    const issues = agentExecutionIssues({ ...valid, startTime: "secret-yesterday", agent: {} });
    expect(issues).toMatch(/agent\.endpoint/);
    expect(issues).toMatch(/startTime/);
    expect(issues).not.toContain("secret-yesterday");
    expect(agentExecutionIssues(null)).toMatch(/\(root\)/);
  });
});
