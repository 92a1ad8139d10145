import type { AgentTask } from "./payloads.js";

/** One seeded agent: a serving endpoint, its UC model, and where its traffic is logged. */
export interface AgentSpec {
  endpoint: string;
  task: AgentTask | "agent/v1/chat";
  /** UC registered model full name (catalog.schema.model). */
  model: string;
  modelVersions: number;
  aliases: Record<string, number>;
  /** Version the endpoint serves. */
  servedVersion: number;
  /** Payload table name (no catalog/schema). */
  table: string;
  tablePrefix: string;
  /**
   * "ai_gateway" (inference_table_config), "legacy" (auto_capture_config), or "ai_gateway_beta":
   * an AI Gateway (Beta) endpoint whose table has the newer layout (event_time, invocation_id…).
   */
  logging: "ai_gateway" | "legacy" | "ai_gateway_beta";
  servedEntityId: string;
  experimentId: string;
  /** The endpoint advertises its MLflow experiment (MLFLOW_EXPERIMENT_ID): traces readable over REST. */
  experimentTracing: boolean;
}

const NAMES: Record<AgentTask, readonly string[]> = {
  "agent/v2/chat": ["support-agent", "hr-helpdesk", "it-ops-agent", "onboarding-guide", "claims-agent"],
  "agent/v1/responses": [
    "travel-planner",
    "research-assistant",
    "sales-copilot",
    "finance-analyst",
    "legal-reviewer",
  ],
  "llm/v1/chat": ["chat-proxy", "summarizer-llm", "code-helper", "translator-llm", "tagger-llm"],
};

export const AGENT_TASKS: readonly AgentTask[] = ["agent/v2/chat", "agent/v1/responses", "llm/v1/chat"];

export function planAgents(
  catalog: string,
  schema: string,
  agentsPerTask: number,
  options: { aiGatewayBeta?: boolean; experimentTraces?: boolean } = {},
): AgentSpec[] {
  const agents: AgentSpec[] = [];
  let n = 0;
  for (const task of AGENT_TASKS) {
    const names = NAMES[task];
    for (let i = 0; i < agentsPerTask; i++) {
      const base = names[i % names.length] as string;
      const endpoint = i < names.length ? base : `${base}-${Math.floor(i / names.length) + 1}`;
      agents.push(spec(catalog, schema, endpoint, task, "ai_gateway", n++));
    }
  }
  agents.push(spec(catalog, schema, "legacy-recommender", "agent/v1/chat", "legacy", n++));
  if (options.aiGatewayBeta) {
    agents.push(spec(catalog, schema, "gateway-concierge", "agent/v1/responses", "ai_gateway_beta", n));
  }
  for (const a of agents)
    a.experimentTracing = (options.experimentTraces ?? false) && a.task !== "llm/v1/chat";
  return agents;
}

function spec(
  catalog: string,
  schema: string,
  endpoint: string,
  task: AgentSpec["task"],
  logging: AgentSpec["logging"],
  index: number,
): AgentSpec {
  const prefix = endpoint.replace(/-/g, "_");
  const versions = 1 + (index % 3) + 1;
  return {
    endpoint,
    task,
    model: `${catalog}.${schema}.${prefix}`,
    modelVersions: versions,
    aliases: versions > 1 ? { champion: versions, challenger: versions - 1 } : { champion: 1 },
    servedVersion: versions,
    table: `${prefix}_payload`,
    tablePrefix: prefix,
    logging,
    servedEntityId: `${(0x1000 + index * 7919).toString(16)}a1b2c3d4e5f6${index.toString(16).padStart(4, "0")}`,
    experimentId: String(3_141_592_653_000 + index),
    experimentTracing: false,
  };
}
