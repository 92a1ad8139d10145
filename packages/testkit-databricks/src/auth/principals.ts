/** An identity that can call the workspace: a service principal (OAuth M2M) and/or a PAT holder. */
export interface Principal {
  /** Name used in grants and error messages (a service principal's application id in Databricks). */
  name: string;
  displayName: string;
  clientId: string;
  clientSecret: string;
  /** Personal access token ("dapi…") for the same identity. */
  pat: string;
}

/** Well-known principal names of the seeded workspace. */
export const PRINCIPALS = {
  /** Full grants on the seeded catalog: what the connector's service principal should have. */
  connector: "pipekit-connector",
  /** USE CATALOG + USE SCHEMA but no SELECT on any table. */
  noSelect: "pipekit-no-select",
  /** USE CATALOG only: cannot use the schema. */
  noSchema: "pipekit-no-schema",
  /** No grants at all. */
  nobody: "pipekit-nobody",
} as const;
