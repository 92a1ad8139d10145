import { DatabricksAccessDeniedError, type Securable } from "./errors.js";

/**
 * Databricks names the missing privilege in its text, e.g.
 * "User does not have USE CATALOG on Catalog 'main'." (REST and SQL alike).
 */
const MISSING_PRIVILEGE =
  /does not have (?:the )?((?:USE CATALOG|USE SCHEMA|SELECT|BROWSE|EXECUTE|MODIFY|READ VOLUME|ALL PRIVILEGES))(?: privilege)? on (catalog|schema|table|function|volume) [`'"]?([^`'".\s][^`'"\s]*)[`'"]?/i;

export function parseMissingPrivilege(
  message: string,
): { privilege: string; securable: Securable; name: string } | undefined {
  const m = MISSING_PRIVILEGE.exec(message);
  if (!m) return undefined;
  const securable = m[2]!.toLowerCase();
  return {
    privilege: m[1]!.toUpperCase(),
    securable: securable === "catalog" || securable === "schema" ? securable : "table",
    name: m[3]!.replace(/\.$/, ""),
  };
}

/** The access-denied error for `message`, falling back to what the caller was trying to read. */
export function accessDeniedFrom(
  message: string,
  fallback: { securable: Securable; name: string },
  cause?: unknown,
): DatabricksAccessDeniedError {
  const parsed = parseMissingPrivilege(message);
  return parsed
    ? new DatabricksAccessDeniedError(parsed.privilege, parsed.securable, parsed.name, { cause })
    : new DatabricksAccessDeniedError(undefined, fallback.securable, fallback.name, { cause });
}
