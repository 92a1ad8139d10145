import { SqlError } from "./sql-error.js";

/** A named parameter as the driver sends it: Spark type name and string value (absent for NULL). */
export interface SqlParameter {
  name: string;
  type?: string;
  value?: string;
}

export interface TranslatedSql {
  sql: string;
  /** DuckDB named parameters (`$name`), all bound as VARCHAR and cast in SQL to their Spark type. */
  values: Record<string, string | null>;
}

const PARAM_CASTS: Record<string, string> = {
  STRING: "VARCHAR",
  INTEGER: "INTEGER",
  INT: "INTEGER",
  BIGINT: "BIGINT",
  SMALLINT: "SMALLINT",
  TINYINT: "TINYINT",
  DOUBLE: "DOUBLE",
  FLOAT: "FLOAT",
  DECIMAL: "DOUBLE",
  BOOLEAN: "BOOLEAN",
  DATE: "DATE",
  TIMESTAMP: "TIMESTAMP",
  TIMESTAMP_NTZ: "TIMESTAMP",
  TIMESTAMP_LTZ: "TIMESTAMP",
};

/**
 * Rewrites Databricks SQL into DuckDB SQL: backtick identifiers become double-quoted ones,
 * double-quoted strings become single-quoted, and `:name` parameter markers become
 * `CAST($name AS <type>)` so a TIMESTAMP parameter compares as a timestamp, as in Databricks.
 * String literals and comments are copied untouched.
 */
export function translateSql(
  statement: string,
  parameters: readonly SqlParameter[] = [],
  options: { inlineNulls?: boolean } = {},
): TranslatedSql {
  const byName = new Map(parameters.map((p) => [p.name, p]));
  const values: Record<string, string | null> = {};
  let out = "";
  let i = 0;
  const n = statement.length;
  while (i < n) {
    const ch = statement[i] as string;
    const next = statement[i + 1];
    if (ch === "'") {
      const end = scanQuoted(statement, i, "'");
      out += statement.slice(i, end);
      i = end;
    } else if (ch === '"') {
      const end = scanQuoted(statement, i, '"');
      const inner = statement.slice(i + 1, end - 1).replace(/\\"/g, '"');
      out += `'${inner.replace(/'/g, "''")}'`;
      i = end;
    } else if (ch === "`") {
      const end = statement.indexOf("`", i + 1);
      if (end < 0) throw parseError(i, "`");
      out += `"${statement.slice(i + 1, end).replace(/"/g, '""')}"`;
      i = end + 1;
    } else if (ch === "-" && next === "-") {
      const end = statement.indexOf("\n", i);
      const stop = end < 0 ? n : end;
      out += statement.slice(i, stop);
      i = stop;
    } else if (ch === "/" && next === "*") {
      const end = statement.indexOf("*/", i + 2);
      const stop = end < 0 ? n : end + 2;
      out += statement.slice(i, stop);
      i = stop;
    } else if (ch === ":" && next === ":") {
      out += "::";
      i += 2;
    } else if (ch === ":" && next !== undefined && /[A-Za-z_]/.test(next)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(statement.slice(i + 1));
      const name = m?.[0] ?? "";
      const param = byName.get(name);
      if (!param) {
        throw new SqlError(
          "UNBOUND_SQL_PARAMETER",
          `Found the unbound parameter: ${name}. Please, fix \`args\` and provide a mapping of the parameter to either a SQL literal or collection constructor functions such as \`map()\`, \`array()\`, \`struct()\`.`,
          "42P02",
        );
      }
      // DuckDB's table-name extraction cannot see through `$name` markers: that variant inlines
      // a typed NULL instead (the statement is only parsed, never run).
      out += options.inlineNulls ? "NULL" : paramExpression(param, values);
      i += 1 + name.length;
    } else {
      out += ch;
      i++;
    }
  }
  return { sql: out, values };
}

function paramExpression(param: SqlParameter, values: Record<string, string | null>): string {
  if (param.value === undefined || param.type === undefined || param.type === "VOID") return "NULL";
  const cast = PARAM_CASTS[param.type.toUpperCase()];
  if (!cast) {
    throw new SqlError(
      "INVALID_PARAMETER_VALUE",
      `The parameter ${param.name} has the unsupported type ${param.type}.`,
      "22023",
    );
  }
  values[param.name] = param.value;
  return `CAST($${param.name} AS ${cast})`;
}

/** Index just past the closing quote; backslash escapes and doubled quotes are honoured. */
function scanQuoted(text: string, start: number, quoteChar: string): number {
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "\\") {
      i += 2;
      continue;
    }
    if (ch === quoteChar) {
      if (text[i + 1] === quoteChar) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  throw parseError(start, quoteChar);
}

function parseError(position: number, token: string): SqlError {
  return new SqlError(
    "PARSE_SYNTAX_ERROR",
    `Syntax error at or near '${token}': missing closing '${token}'. SQLSTATE: 42601 (line 1, pos ${position})`,
    "42601",
    { raw: true },
  );
}

/** One table a statement reads or writes, as written (1–3 parts). */
export type TableReference = readonly string[];

/** Parses DuckDB's `getTableNames(…, true)` output ("a.\"b\".c AS x") into name parts. */
export function parseTableName(qualified: string): TableReference {
  const withoutAlias = qualified.replace(/\s+AS\s+.*$/i, "");
  const parts: string[] = [];
  let i = 0;
  let current = "";
  while (i < withoutAlias.length) {
    const ch = withoutAlias[i] as string;
    if (ch === '"') {
      let j = i + 1;
      while (j < withoutAlias.length) {
        if (withoutAlias[j] === '"' && withoutAlias[j + 1] === '"') {
          current += '"';
          j += 2;
        } else if (withoutAlias[j] === '"') break;
        else {
          current += withoutAlias[j];
          j++;
        }
      }
      i = j + 1;
    } else if (ch === ".") {
      parts.push(current);
      current = "";
      i++;
    } else {
      current += ch;
      i++;
    }
  }
  parts.push(current);
  return parts;
}
