/** Unity Catalog privileges the emulator enforces. */
export type Privilege = "USE CATALOG" | "USE SCHEMA" | "SELECT" | "MODIFY" | "ALL PRIVILEGES";

export type SecurableKind = "Catalog" | "Schema" | "Table";

/**
 * Grants per principal on securables named `catalog`, `catalog.schema` or `catalog.schema.table`.
 * As in Unity Catalog, a privilege granted on a container is inherited by what it contains
 * (SELECT on a schema covers its tables), and ALL PRIVILEGES covers everything.
 */
export class Grants {
  private readonly grants = new Map<string, Set<string>>();

  grant(principal: string, privilege: Privilege, securable: string): void {
    let set = this.grants.get(principal);
    if (!set) {
      set = new Set();
      this.grants.set(principal, set);
    }
    set.add(key(privilege, securable));
  }

  /** Removes a direct grant. Returns whether it existed. */
  revoke(principal: string, privilege: Privilege, securable: string): boolean {
    return this.grants.get(principal)?.delete(key(privilege, securable)) ?? false;
  }

  has(principal: string, privilege: Privilege, securable: string): boolean {
    const set = this.grants.get(principal);
    if (!set) return false;
    const parts = securable.split(".");
    for (let i = parts.length; i >= 1; i--) {
      const name = parts.slice(0, i).join(".").toLowerCase();
      if (set.has(key(privilege, name)) || set.has(key("ALL PRIVILEGES", name))) return true;
    }
    return false;
  }

  /** The privileges held directly, for diagnostics ("SHOW GRANTS"). */
  list(principal: string): { privilege: Privilege; securable: string }[] {
    return [...(this.grants.get(principal) ?? [])].map((k) => {
      const [privilege, securable] = k.split("@") as [Privilege, string];
      return { privilege, securable };
    });
  }

  /**
   * The first privilege missing for reading a table (or listing a schema/catalog), as the
   * Databricks message names it: `User does not have USE SCHEMA on Schema 'c.s'.`
   */
  missingFor(
    principal: string,
    catalog: string,
    schema?: string,
    table?: string,
    tablePrivilege: Privilege = "SELECT",
  ): string | undefined {
    if (!this.has(principal, "USE CATALOG", catalog)) return denial("USE CATALOG", "Catalog", catalog);
    if (schema === undefined) return undefined;
    const schemaName = `${catalog}.${schema}`;
    if (!this.has(principal, "USE SCHEMA", schemaName)) return denial("USE SCHEMA", "Schema", schemaName);
    if (table === undefined) return undefined;
    const tableName = `${schemaName}.${table}`;
    if (!this.has(principal, tablePrivilege, tableName)) return denial(tablePrivilege, "Table", tableName);
    return undefined;
  }
}

function key(privilege: Privilege, securable: string): string {
  return `${privilege}@${securable.toLowerCase()}`;
}

function denial(privilege: Privilege, kind: SecurableKind, name: string): string {
  return `User does not have ${privilege} on ${kind} '${name}'.`;
}
