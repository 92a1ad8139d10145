import type { ChatMessage } from "@pipekit/agent-execution";
import type { ToolCallCollector } from "./tool-calls.js";
import { asArray, asRecord, asString, contentToText, toText } from "./values.js";

/**
 * ChatAgent and OpenAI chat messages: `{role, content, name?, tool_calls?, tool_call_id?}`.
 * Assistant tool calls and `tool` results go to `tools` (when given) so they can be paired.
 */
export function parseChatMessages(value: unknown, tools?: ToolCallCollector): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const item of asArray(value) ?? []) {
    const m = asRecord(item);
    if (!m) continue;
    const msg: ChatMessage = { role: asString(m.role) ?? "unknown", content: contentToText(m.content) };
    const name = asString(m.name);
    if (name) msg.name = name;
    const toolCallId = asString(m.tool_call_id);
    if (toolCallId) msg.toolCallId = toolCallId;
    out.push(msg);
    if (!tools) continue;
    for (const raw of asArray(m.tool_calls) ?? []) {
      const call = asRecord(raw);
      const fn = asRecord(call?.function);
      const id = asString(call?.id);
      const fnName = asString(fn?.name);
      if (id && fnName) tools.addCall(id, fnName, toText(fn?.arguments));
    }
    if (msg.role === "tool" && toolCallId) tools.addResult(toolCallId, msg.content);
  }
  return out;
}

/** The assistant messages of an OpenAI chat-completions response (`choices[].message`). */
export function parseChoices(value: unknown, tools?: ToolCallCollector): ChatMessage[] {
  const messages = (asArray(value) ?? []).map((c) => asRecord(c)?.message).filter((m) => m !== undefined);
  return parseChatMessages(messages, tools);
}
