import type { AgentSpec } from "../seed/agents.js";

/** The serving-endpoint JSON Databricks returns for an agent endpoint. */
export function endpointInfo(
  agent: AgentSpec,
  catalog: string,
  schema: string,
  createdAt: number,
): Record<string, unknown> {
  const [, , modelName] = agent.model.split(".");
  const servedEntity = {
    name: `${modelName}-${agent.servedVersion}`,
    entity_name: agent.model,
    entity_version: String(agent.servedVersion),
    workload_size: "Small",
    workload_type: "CPU",
    scale_to_zero_enabled: true,
    environment_vars: {
      ENABLE_MLFLOW_TRACING: "true",
      RETURN_REQUEST_TRACE: "true",
      DATABRICKS_TOKEN: "{{secrets/agents/token}}",
      ...(agent.experimentTracing ? { MLFLOW_EXPERIMENT_ID: agent.experimentId } : {}),
    },
    state: { deployment: "DEPLOYMENT_READY", deployment_state_message: "" },
    creator: "admins@example.com",
    creation_timestamp: createdAt,
  };
  const config: Record<string, unknown> = {
    served_entities: [servedEntity],
    served_models: [
      {
        name: servedEntity.name,
        model_name: agent.model,
        model_version: servedEntity.entity_version,
        workload_size: "Small",
        scale_to_zero_enabled: true,
      },
    ],
    traffic_config: { routes: [{ served_model_name: servedEntity.name, traffic_percentage: 100 }] },
    config_version: agent.servedVersion,
  };
  const info: Record<string, unknown> = {
    name: agent.endpoint,
    id: agent.servedEntityId,
    task: agent.task,
    creator: "admins@example.com",
    creation_timestamp: createdAt,
    last_updated_timestamp: createdAt,
    description: `Agent ${agent.endpoint}`,
    tags: [
      { key: "agent", value: "true" },
      { key: "team", value: "ml-platform" },
    ],
    state: { ready: "READY", config_update: "NOT_UPDATING" },
    permission_level: "CAN_QUERY",
    route_optimized: false,
    endpoint_type: "AGENT",
    config,
  };
  if (agent.logging === "legacy") {
    config.auto_capture_config = {
      catalog_name: catalog,
      schema_name: schema,
      table_name_prefix: agent.tablePrefix,
      enabled: true,
      state: { payload_table: { name: agent.table, status: "ACTIVE" } },
    };
  } else {
    info.ai_gateway = {
      inference_table_config: {
        catalog_name: catalog,
        schema_name: schema,
        table_name_prefix: agent.tablePrefix,
        enabled: true,
      },
      usage_tracking_config: { enabled: true },
    };
  }
  return info;
}
