/**
 * Identifiers cannot be bound as parameters, so every catalog/schema/table/column name that goes
 * into SQL text is validated against a strict pattern and backtick-quoted. Names come from REST
 * listings, but a hostile or broken listing must still not be able to change the statement.
 */
const IDENTIFIER_PART = /^[A-Za-z0-9_-]+$/;

export class InvalidIdentifierError extends Error {
  override readonly name = "InvalidIdentifierError";
}

export function assertIdentifierPart(part: string, what = "identifier"): string {
  if (!IDENTIFIER_PART.test(part)) {
    throw new InvalidIdentifierError(
      `Invalid ${what} ${JSON.stringify(part)}: only letters, digits, '_' and '-' are allowed`,
    );
  }
  return part;
}

/** `a` → "`a`" after validation. */
export function quoteIdentifier(part: string, what?: string): string {
  return `\`${assertIdentifierPart(part, what)}\``;
}

/** "c.s.t" → "`c`.`s`.`t`"; exactly three parts. */
export function quoteTableName(fullName: string): string {
  const parts = fullName.split(".");
  if (parts.length !== 3) {
    throw new InvalidIdentifierError(
      `Invalid table name ${JSON.stringify(fullName)}: expected catalog.schema.table`,
    );
  }
  const [catalog, schema, table] = parts as [string, string, string];
  return `${quoteIdentifier(catalog, "catalog")}.${quoteIdentifier(schema, "schema")}.${quoteIdentifier(table, "table")}`;
}
