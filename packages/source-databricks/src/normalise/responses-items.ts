import type { ChatMessage } from "@pipekit/agent-execution";
import type { ToolCallCollector } from "./tool-calls.js";
import { asArray, asRecord, asString, contentToText, toText } from "./values.js";

/**
 * ResponsesAgent input/output items: messages (`{role, content}` or `{type:"message", …}`),
 * `function_call {call_id, name, arguments}` and `function_call_output {call_id, output}`.
 * A bare string input is one user message.
 */
export function parseResponsesItems(value: unknown, tools?: ToolCallCollector): ChatMessage[] {
  if (typeof value === "string") return [{ role: "user", content: value }];
  const out: ChatMessage[] = [];
  for (const raw of asArray(value) ?? []) {
    const item = asRecord(raw);
    if (!item) continue;
    const type = asString(item.type) ?? (item.role !== undefined ? "message" : "unknown");
    switch (type) {
      case "message":
        out.push({ role: asString(item.role) ?? "assistant", content: contentToText(item.content) });
        break;
      case "function_call": {
        const id = asString(item.call_id) ?? asString(item.id);
        const name = asString(item.name);
        if (id && name) tools?.addCall(id, name, toText(item.arguments));
        break;
      }
      case "function_call_output": {
        const id = asString(item.call_id);
        const output = toText(item.output);
        if (id) {
          tools?.addResult(id, output);
          out.push({ role: "tool", content: output, toolCallId: id });
        }
        break;
      }
      default:
        // Reasoning and other item types carry no conversation text worth normalising.
        break;
    }
  }
  return out;
}
