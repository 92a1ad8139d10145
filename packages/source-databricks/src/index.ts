export { type AccessTokenProvider, OAuthM2MTokenProvider, PatTokenProvider } from "./auth/token-provider.js";
export {
  DeliveredIds,
  type DeliveredIdsOptions,
  type DeliveredManifest,
} from "./checkpoint/delivered-ids.js";
export { databricksSourceComponent } from "./component.js";
export { components } from "./components.js";
export {
  DATABRICKS_SECRET_FIELDS,
  type DatabricksSourceConfig,
  type DatabricksSourceConfigInput,
  databricksSourceConfigSchema,
} from "./config/config.js";
export { classifyTable, type TableKind } from "./discovery/classify-table.js";
export type { AgentInfo, AgentInventory, AgentTable, ModelInfo } from "./discovery/inventory.js";
export {
  DatabricksAccessDeniedError,
  DatabricksApiError,
  DatabricksAuthError,
  DatabricksConnectionError,
  DatabricksSourceError,
  NoAgentTablesError,
  NoReadableAgentTablesError,
  NoRunningWarehouseError,
  TableReadError,
} from "./errors/errors.js";
export { normaliseRow, type RowOrigin, RowParseError, type TraceRow } from "./normalise/normalise-row.js";
export type { TableCycleStats } from "./read/table-reader.js";
export {
  createDatabricksSource,
  type DatabricksCycleSummary,
  type DatabricksSource,
  type DatabricksSourceOptions,
} from "./source/databricks-source.js";
export { InvalidIdentifierError, quoteIdentifier, quoteTableName } from "./sql/identifiers.js";
