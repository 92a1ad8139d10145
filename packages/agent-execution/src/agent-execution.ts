import { z } from "zod";

/**
 * One run of an AI agent, normalised from whatever table or API recorded it. Sources produce it,
 * transforms (redaction) rewrite it, the Akto mapping turns it into traffic records.
 */
export const ToolCallSchema = z.object({
  /** Tool-call id as the model gave it (e.g. "call_abc"). */
  id: z.string(),
  name: z.string(),
  /** Arguments as the model produced them: usually a JSON string. */
  arguments: z.string(),
  /** The tool's result, when it was recorded. */
  result: z.string().optional(),
  /** Timing and failure, when known (e.g. from a trace span). */
  startTime: z.number().optional(),
  durationMs: z.number().optional(),
  error: z.string().optional(),
});
export type ToolCall = z.infer<typeof ToolCallSchema>;

export const ChatMessageSchema = z.object({
  role: z.string(),
  content: z.string(),
  name: z.string().optional(),
  toolCallId: z.string().optional(),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

export const AgentRefSchema = z.object({
  /** Serving endpoint name (the agent as callers see it). */
  endpoint: z.string(),
  /** Unity Catalog registered model full name, when known. */
  model: z.string().optional(),
  modelVersion: z.string().optional(),
  /** Serving endpoint task, e.g. "agent/v1/responses". */
  task: z.string().optional(),
});
export type AgentRef = z.infer<typeof AgentRefSchema>;

export const AgentExecutionSchema = z.object({
  /** Platform the agent runs on, e.g. "databricks". */
  platform: z.string(),
  /** Workspace host the execution came from (no scheme), e.g. "adb-123.4.azuredatabricks.net". */
  workspace: z.string(),
  agent: AgentRefSchema,
  /** Stable id of the execution (databricks_request_id or trace id). */
  requestId: z.string(),
  clientRequestId: z.string().optional(),
  /** Where it was read from, e.g. "workspace.default.support_agent_payload". */
  table: z.string(),
  /** Epoch milliseconds. */
  startTime: z.number(),
  durationMs: z.number().optional(),
  /** HTTP status the endpoint answered with. */
  statusCode: z.number().int(),
  status: z.enum(["ok", "error"]),
  /** Shape of the payload: chat-agent, responses-agent, chat-completions, legacy, trace, unknown. */
  payloadFormat: z.string(),
  input: z.array(ChatMessageSchema),
  output: z.array(ChatMessageSchema),
  toolCalls: z.array(ToolCallSchema),
  usage: z
    .object({
      promptTokens: z.number().optional(),
      completionTokens: z.number().optional(),
      totalTokens: z.number().optional(),
    })
    .optional(),
  error: z.string().optional(),
  /** Who called the endpoint, when recorded. */
  requester: z.string().optional(),
  /** The raw request and response bodies as recorded (strings), for mappings that want them. */
  rawRequest: z.string(),
  rawResponse: z.string(),
  /** Anything else worth keeping (logging_error_codes, trace ids…). */
  attributes: z.record(z.string(), z.string()).default({}),
});
export type AgentExecution = z.infer<typeof AgentExecutionSchema>;
