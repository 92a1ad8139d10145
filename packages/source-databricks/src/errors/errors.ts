import type { ErrorClass } from "@pipekit/core/advanced";

/**
 * Errors a person can act on. Messages follow the Akto connector's troubleshooting names so a user
 * can search the docs for them; `hint` carries the documented fix. None of them ever contains a
 * secret: only hosts, catalog/schema/table names and server messages (which are token-free).
 */
export abstract class DatabricksSourceError extends Error {
  abstract readonly class: ErrorClass;
  constructor(
    message: string,
    readonly hint: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

export class DatabricksConnectionError extends DatabricksSourceError {
  override readonly name = "DatabricksConnectionError";
  readonly class = "retryable" as const;
  constructor(
    readonly host: string,
    reason: string,
    options: { cause?: unknown } = {},
  ) {
    super(
      `Failed to connect to Databricks workspace ${host}: ${reason}`,
      "Verify DATABRICKS_HOST is correct and reachable, check network connectivity and firewall rules " +
        "(outbound HTTPS), and, behind a TLS-inspecting proxy, set caCert to its CA certificate.",
      options,
    );
  }
}

export class DatabricksAuthError extends DatabricksSourceError {
  override readonly name = "DatabricksAuthError";
  readonly class = "fatal" as const;
  constructor(detail = "invalid client credentials", options: { cause?: unknown } = {}) {
    super(
      `Authentication failed: ${detail}`,
      "Double-check DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET (or DATABRICKS_TOKEN); ensure the " +
        "service principal exists and is not disabled, that the secret has not expired, and regenerate " +
        "credentials if necessary.",
      options,
    );
  }
}

export type Securable = "catalog" | "schema" | "table";

export class DatabricksAccessDeniedError extends DatabricksSourceError {
  override readonly name = "DatabricksAccessDeniedError";
  readonly class = "fatal" as const;
  constructor(
    /** The privilege the service principal lacks, e.g. "USE CATALOG"; undefined when the server did not say. */
    readonly privilege: string | undefined,
    readonly securable: Securable,
    readonly securableName: string,
    options: { cause?: unknown } = {},
  ) {
    const what = privilege
      ? `the service principal lacks ${privilege} on ${securable} '${securableName}'`
      : `the service principal may not read ${securable} '${securableName}'`;
    super(
      `Access denied to catalog/schema: ${what}`,
      `Grant the missing permission, e.g. ${grantStatement(privilege ?? "USE CATALOG", securable, securableName)}; ` +
        `check with SHOW GRANTS ON ${securable.toUpperCase()} ${securableName}; and ensure Unity Catalog is enabled.`,
      options,
    );
  }
}

function grantStatement(privilege: string, securable: Securable, name: string): string {
  return `GRANT ${privilege} ON ${securable.toUpperCase()} ${name} TO \`<service_principal_id>\``;
}

export class NoAgentTablesError extends DatabricksSourceError {
  override readonly name = "NoAgentTablesError";
  readonly class = "fatal" as const;
  constructor(
    readonly prefix: string,
    readonly location: string,
    /** Tables that exist there but did not match (name or columns), for the message. */
    readonly found: readonly string[],
  ) {
    const shown = found.slice(0, 20).join(", ");
    const more = found.length > 20 ? ` and ${found.length - 20} more` : "";
    super(
      `No agent tables matched prefix '${prefix}' in ${location}: found ${found.length === 0 ? "no tables" : `${shown}${more}`}`,
      "Verify agents exist in the configured Unity Catalog and schema, that inference tables (AI Gateway " +
        "or auto-capture) are enabled on their serving endpoints, and that DATABRICKS_PREFIX is not " +
        "filtering out every table.",
    );
  }
}

/**
 * Agent tables exist but not one of them could be read: the cycle would deliver nothing and look
 * like a quiet hour. Almost always a missing grant, so the message names it and the hint gives the
 * GRANT statements of the connector's setup.
 */
export class NoReadableAgentTablesError extends DatabricksSourceError {
  override readonly name = "NoReadableAgentTablesError";
  readonly class = "fatal" as const;
  constructor(
    readonly location: string,
    readonly tables: readonly { readonly fullName: string; readonly error: Error }[],
  ) {
    const denied = tables.map((t) => t.error).filter((e) => e instanceof DatabricksAccessDeniedError);
    const privileges = [...new Set(denied.map((e) => e.privilege).filter((p) => p !== undefined))];
    const missing =
      privileges.length > 0
        ? `the service principal lacks ${privileges.join(", ")} on them`
        : `first error: ${tables[0]?.error.message ?? "unknown"}`;
    const shown = tables
      .slice(0, 10)
      .map((t) => t.fullName)
      .join(", ");
    const more = tables.length > 10 ? ` and ${tables.length - 10} more` : "";
    super(
      `No agent table could be read in ${location}: all ${tables.length} matching table(s) were refused (${shown}${more}); ${missing}`,
      `Grant the service principal read access, as in the connector's setup: ${setupGrants(location, privileges)}. ` +
        `Check with SHOW GRANTS ON SCHEMA ${location}.`,
    );
  }
}

/** The setup's GRANTs for catalog.schema, the missing privileges first. */
function setupGrants(location: string, missing: readonly string[]): string {
  const [catalog] = location.split(".");
  const statements = [
    { privilege: "SELECT", sql: grantStatement("SELECT", "schema", location) },
    { privilege: "USE SCHEMA", sql: grantStatement("USE SCHEMA", "schema", location) },
    { privilege: "USE CATALOG", sql: grantStatement("USE CATALOG", "catalog", catalog ?? location) },
  ];
  const first = statements.filter((s) => missing.includes(s.privilege));
  const rest = statements.filter((s) => !missing.includes(s.privilege));
  const named = first.length > 0 ? `${first.map((s) => s.sql).join("; ")} (missing)` : "";
  return [named, ...rest.map((s) => s.sql)].filter(Boolean).join("; ");
}

export class NoRunningWarehouseError extends DatabricksSourceError {
  override readonly name = "NoRunningWarehouseError";
  readonly class = "fatal" as const;
  constructor(host: string, found: readonly { name: string; state: string }[]) {
    const list = found.length === 0 ? "none" : found.map((w) => `${w.name} (${w.state})`).join(", ");
    super(
      `No running SQL warehouse found in ${host}: found ${list} — start one or set warehouseId`,
      "Start a SQL warehouse in the workspace (or enable auto-start), or set warehouseId to a warehouse " +
        "the service principal may use.",
    );
  }
}

/** Any other REST failure, with the server's error code. */
export class DatabricksApiError extends DatabricksSourceError {
  override readonly name = "DatabricksApiError";
  readonly class: ErrorClass;
  constructor(
    readonly status: number,
    readonly errorCode: string,
    serverMessage: string,
    readonly endpoint: string,
    options: { cause?: unknown } = {},
  ) {
    super(
      `Databricks API ${endpoint} answered ${status} ${errorCode}: ${serverMessage}`,
      status === 404
        ? "Check that the catalog, schema or resource named in the configuration exists."
        : "See the Databricks error code in the message; retry later if the service is unavailable.",
      options,
    );
    this.class = status === 429 || status >= 500 ? "retryable" : "fatal";
  }
}

/** A table that could not be read this cycle; reported and skipped, the others go on. */
export class TableReadError extends DatabricksSourceError {
  override readonly name = "TableReadError";
  readonly class = "retryable" as const;
  constructor(
    readonly table: string,
    reason: string,
    options: { cause?: unknown } = {},
  ) {
    super(
      `Could not read table ${table}: ${reason}`,
      `Check the service principal has SELECT on ${table} (GRANT SELECT ON TABLE ${table} TO \`<service_principal_id>\`).`,
      options,
    );
  }
}
