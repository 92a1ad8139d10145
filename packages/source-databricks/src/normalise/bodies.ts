import type { ChatMessage } from "@pipekit/agent-execution";
import { parseChatMessages, parseChoices } from "./chat-messages.js";
import { parseResponsesItems } from "./responses-items.js";
import { ToolCallCollector } from "./tool-calls.js";
import { asArray, asRecord, toText } from "./values.js";

export interface Bodies {
  format: string;
  input: ChatMessage[];
  output: ChatMessage[];
  tools: ToolCallCollector;
}

const LEGACY_INPUT_KEYS = ["dataframe_records", "dataframe_split", "instances", "inputs"] as const;

export function readBodies(request: unknown, response: unknown, task: string | undefined): Bodies {
  const req = asRecord(request);
  const res = asRecord(response);
  const tools = new ToolCallCollector();
  // Calls are taken from the answer (this execution's work); the request's history only supplies
  // results for them, so a call made in an earlier turn is not reported again.
  const historyTools = new ToolCallCollector();

  if (req?.input !== undefined || isResponsesOutput(res?.output)) {
    const input = parseResponsesItems(req?.input, historyTools);
    const output = parseResponsesItems(res?.output, tools);
    return { format: "responses-agent", input, output, tools: withHistoryResults(tools, historyTools) };
  }
  if (asArray(res?.choices)) {
    const input = parseChatMessages(req?.messages, historyTools);
    const output = parseChoices(res?.choices, tools);
    return { format: "chat-completions", input, output, tools: withHistoryResults(tools, historyTools) };
  }
  if (asArray(req?.messages) || asArray(res?.messages)) {
    const input = parseChatMessages(req?.messages, historyTools);
    const output = parseChatMessages(res?.messages, tools);
    const format = asArray(res?.messages) || task?.startsWith("agent/") ? "chat-agent" : "chat-completions";
    return { format, input, output, tools: withHistoryResults(tools, historyTools) };
  }
  if (req && LEGACY_INPUT_KEYS.some((k) => req[k] !== undefined)) {
    const key = LEGACY_INPUT_KEYS.find((k) => req[k] !== undefined)!;
    const predictions = res?.predictions ?? res?.outputs ?? response;
    return {
      format: "legacy",
      input: [{ role: "user", content: toText(req[key]) }],
      output: predictions === undefined ? [] : [{ role: "assistant", content: toText(predictions) }],
      tools,
    };
  }
  return {
    format: "unknown",
    input: request === undefined ? [] : [{ role: "user", content: toText(request) }],
    output: response === undefined ? [] : [{ role: "assistant", content: toText(response) }],
    tools,
  };
}

function isResponsesOutput(v: unknown): boolean {
  const items = asArray(v);
  return !!items && items.some((i) => typeof asRecord(i)?.type === "string");
}

/** Results found only in the request history complete the answer's calls (multi-turn tool loops). */
function withHistoryResults(tools: ToolCallCollector, history: ToolCallCollector): ToolCallCollector {
  for (const h of history.toArray()) if (h.result !== undefined) tools.addResult(h.id, h.result);
  return tools;
}
