import { type AgentExecution, AgentExecutionSchema } from "./agent-execution.js";

/**
 * Whether `value` has AgentExecution's shape, checked field by field without building anything.
 * Sources construct executions through the type, so transforms downstream need only this guard
 * against a foreign or hand-made value; a zod parse per message (it copies the whole value) cost as
 * much as the mapping itself. Undefined when the value is fine, else the offending fields named as
 * zod would name them (the slow parse runs only on that failure path). Values are never echoed.
 */
export function agentExecutionIssues(value: unknown): string | undefined {
  if (hasAgentExecutionShape(value)) return undefined;
  const parsed = AgentExecutionSchema.safeParse(value);
  if (parsed.success) return undefined;
  return parsed.error.issues
    .map((issue) => `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
}

const isString = (v: unknown): v is string => typeof v === "string";
// As zod 4 judges numbers: finite only.
const isNumber = (v: unknown): v is number => Number.isFinite(v);
const optional = (v: unknown, check: (v: unknown) => boolean) => v === undefined || check(v);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function hasAgentExecutionShape(value: unknown): value is AgentExecution {
  if (!isObject(value)) return false;
  const e = value;
  const agent = e.agent;
  return (
    isString(e.platform) &&
    isString(e.workspace) &&
    isObject(agent) &&
    isString(agent.endpoint) &&
    optional(agent.model, isString) &&
    optional(agent.modelVersion, isString) &&
    optional(agent.task, isString) &&
    isString(e.requestId) &&
    optional(e.clientRequestId, isString) &&
    isString(e.table) &&
    isNumber(e.startTime) &&
    optional(e.durationMs, isNumber) &&
    Number.isSafeInteger(e.statusCode) &&
    (e.status === "ok" || e.status === "error") &&
    isString(e.payloadFormat) &&
    everyItem(e.input, isChatMessage) &&
    everyItem(e.output, isChatMessage) &&
    everyItem(e.toolCalls, isToolCall) &&
    optional(e.usage, isUsage) &&
    optional(e.error, isString) &&
    optional(e.requester, isString) &&
    isString(e.rawRequest) &&
    isString(e.rawResponse) &&
    optional(e.attributes, isStringRecord)
  );
}

function everyItem(list: unknown, check: (item: unknown) => boolean): boolean {
  if (!Array.isArray(list)) return false;
  for (const item of list) if (!check(item)) return false;
  return true;
}

function isChatMessage(m: unknown): boolean {
  return (
    isObject(m) &&
    isString(m.role) &&
    isString(m.content) &&
    optional(m.name, isString) &&
    optional(m.toolCallId, isString)
  );
}

function isToolCall(t: unknown): boolean {
  return (
    isObject(t) &&
    isString(t.id) &&
    isString(t.name) &&
    isString(t.arguments) &&
    optional(t.result, isString) &&
    optional(t.startTime, isNumber) &&
    optional(t.durationMs, isNumber) &&
    optional(t.error, isString)
  );
}

function isUsage(u: unknown): boolean {
  return (
    isObject(u) &&
    optional(u.promptTokens, isNumber) &&
    optional(u.completionTokens, isNumber) &&
    optional(u.totalTokens, isNumber)
  );
}

function isStringRecord(r: unknown): boolean {
  if (!isObject(r)) return false;
  for (const key in r) if (!isString(r[key])) return false;
  return true;
}
