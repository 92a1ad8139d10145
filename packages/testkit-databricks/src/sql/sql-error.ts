/**
 * A SQL failure reported the way Databricks reports it: `[ERROR_CLASS] message SQLSTATE: xxxxx`
 * in the operation status (errorMessage/displayMessage) with the SQLSTATE alongside.
 */
export class SqlError extends Error {
  readonly errorClass: string;
  readonly sqlState: string;

  constructor(errorClass: string, message: string, sqlState: string, options: { raw?: boolean } = {}) {
    super(options.raw ? `[${errorClass}] ${message}` : `[${errorClass}] ${message} SQLSTATE: ${sqlState}`);
    this.name = "SqlError";
    this.errorClass = errorClass;
    this.sqlState = sqlState;
  }
}

export function tableNotFound(nameAsWritten: readonly string[]): SqlError {
  const rendered = nameAsWritten.map((p) => `\`${p}\``).join(".");
  return new SqlError(
    "TABLE_OR_VIEW_NOT_FOUND",
    `The table or view ${rendered} cannot be found. Verify the spelling and correctness of the schema and catalog.\nIf you did not qualify the name with a schema, verify the current_schema() output, or qualify the name with the correct schema and catalog.\nTo tolerate the error on drop use DROP VIEW IF EXISTS or DROP TABLE IF EXISTS.`,
    "42P01",
  );
}

export function insufficientPermissions(denial: string): SqlError {
  return new SqlError("INSUFFICIENT_PERMISSIONS", `Insufficient privileges: ${denial}`, "42501");
}

/** Maps a DuckDB error message to the Databricks error class a client would see. */
export function fromDuckDbError(message: string): SqlError {
  const column = /Referenced column "([^"]+)" not found/.exec(message);
  if (column) {
    return new SqlError(
      "UNRESOLVED_COLUMN.WITHOUT_SUGGESTION",
      `A column, variable, or function parameter with name \`${column[1]}\` cannot be resolved.`,
      "42703",
    );
  }
  if (/^Parser Error/.test(message)) {
    return new SqlError(
      "PARSE_SYNTAX_ERROR",
      `Syntax error: ${message.replace(/^Parser Error:\s*/, "")}`,
      "42601",
    );
  }
  const fn = /Scalar Function with name (\w+) does not exist/.exec(message);
  if (fn) {
    return new SqlError(
      "UNRESOLVED_ROUTINE",
      `Cannot resolve routine \`${fn[1]}\` on search path [\`system\`.\`builtin\`, \`system\`.\`session\`].`,
      "42883",
    );
  }
  if (/^Conversion Error/.test(message)) {
    return new SqlError("CAST_INVALID_INPUT", message.replace(/^Conversion Error:\s*/, ""), "22018");
  }
  return new SqlError("INTERNAL_ERROR", message, "XX000");
}
