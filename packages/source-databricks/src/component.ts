import { defineComponent } from "@pipekit/core";
import { DATABRICKS_SECRET_FIELDS, databricksSourceConfigSchema } from "./config/config.js";
import { DatabricksSourceImpl } from "./source/databricks-source.js";

/** `type: databricks` in pipeline YAML and the databricks-shield binary. */
export const databricksSourceComponent = defineComponent({
  kind: "source",
  type: "databricks",
  description:
    "Discovers AI agents (serving endpoints, Unity Catalog models, inference and trace tables) in a Databricks workspace and streams their executions",
  configSchema: databricksSourceConfigSchema,
  secretFields: [...DATABRICKS_SECRET_FIELDS],
  // The registry has parsed the config. A cluster runner hands over the partitions (tables) this instance owns.
  create: (config, deps) =>
    new DatabricksSourceImpl(config, deps.partitionFilter ? { tableFilter: deps.partitionFilter } : {}),
});
