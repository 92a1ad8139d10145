import { defineComponent } from "@pipekit/core";
import { aktoMappingTransform } from "./akto-mapping-transform.js";
import { AktoMappingConfigSchema } from "./mapping-config.js";

/** Registry entry: `type: akto_mapping` in a pipeline's transforms. */
export const aktoMappingComponent = defineComponent({
  kind: "transform",
  type: "akto_mapping",
  description:
    "Maps each AgentExecution to Akto ingestion records: the agent's invocation plus one record per tool call.",
  configSchema: AktoMappingConfigSchema,
  create: (config) => aktoMappingTransform(config),
});
