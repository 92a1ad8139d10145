import type { AgentExecution } from "@pipekit/agent-execution";
import { agentHost, toolHost } from "./dns-host.js";
import type { AktoMappingConfig } from "./mapping-config.js";

/** What every record of one agent (or one of its tools) shares: host, path and tag JSON. */
export interface AgentParts {
  readonly host: string;
  readonly path: string;
  /** The tag as an object (tool tags extend it) and as the JSON string Akto reads. */
  readonly tag: Readonly<Record<string, string>>;
  readonly tagJson: string;
  readonly tools: Map<string, ToolParts>;
}

export interface ToolParts {
  readonly host: string;
  readonly path: string;
  readonly tagJson: string;
}

/**
 * Executions of a few agents and tools repeat these endlessly, and building them (DNS labels,
 * hashes, URI encoding, JSON) cost about a tenth of the mapping per record. Kept per config, and
 * bounded: past MAX_AGENTS distinct agents the memo starts over rather than grow with hostile data.
 */
const MAX_AGENTS = 1024;
const MAX_TOOLS_PER_AGENT = 256;
const memos = new WeakMap<AktoMappingConfig, Map<string, AgentParts>>();

export function agentParts(execution: AgentExecution, config: AktoMappingConfig): AgentParts {
  let memo = memos.get(config);
  if (memo === undefined) {
    memo = new Map();
    memos.set(config, memo);
  }
  const { endpoint, model, modelVersion } = execution.agent;
  const key = `${execution.workspace}\u0000${endpoint}\u0000${model ?? "\u0001"}\u0000${modelVersion ?? "\u0001"}`;
  let parts = memo.get(key);
  if (parts === undefined) {
    if (memo.size >= MAX_AGENTS) memo.clear();
    const tag: Record<string, string> = {
      ...config.tagExtras,
      "gen-ai": "Gen AI",
      "ai-agent": endpoint,
      "bot-name": model ?? endpoint,
      source: "DATABRICKS",
      ...(model !== undefined ? { model } : {}),
      ...(modelVersion !== undefined ? { "model-version": modelVersion } : {}),
    };
    parts = {
      host: agentHost(endpoint, execution.workspace),
      path: `/serving-endpoints/${pathSegment(endpoint)}/invocations`,
      tag,
      tagJson: JSON.stringify(tag),
      tools: new Map(),
    };
    memo.set(key, parts);
  }
  return parts;
}

export function toolParts(agent: AgentParts, toolName: string, execution: AgentExecution): ToolParts {
  let parts = agent.tools.get(toolName);
  if (parts === undefined) {
    if (agent.tools.size >= MAX_TOOLS_PER_AGENT) agent.tools.clear();
    parts = {
      host: toolHost(toolName, execution.agent.endpoint, execution.workspace),
      path: `/tools/${pathSegment(toolName)}`,
      tagJson: JSON.stringify({ ...agent.tag, tool: toolName }),
    };
    agent.tools.set(toolName, parts);
  }
  return parts;
}

/** Lone UTF-16 surrogates (not valid Unicode) become U+FFFD, else encodeURIComponent throws URIError. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A name from the data (endpoint, tool) as one URL path segment; model output may hold any text. */
function pathSegment(name: string): string {
  return encodeURIComponent(name.replace(LONE_SURROGATE, "\ufffd"));
}
