/**
 * Databricks column types the emulator supports, with their DuckDB storage type and the Unity
 * Catalog `type_name` (UC names BIGINT "LONG", ARRAY<…> "ARRAY" and so on).
 */
interface TypeMapping {
  duckdb: string;
  typeName: string;
}

const SCALARS: Record<string, TypeMapping> = {
  string: { duckdb: "VARCHAR", typeName: "STRING" },
  int: { duckdb: "INTEGER", typeName: "INT" },
  integer: { duckdb: "INTEGER", typeName: "INT" },
  bigint: { duckdb: "BIGINT", typeName: "LONG" },
  long: { duckdb: "BIGINT", typeName: "LONG" },
  smallint: { duckdb: "SMALLINT", typeName: "SHORT" },
  tinyint: { duckdb: "TINYINT", typeName: "BYTE" },
  double: { duckdb: "DOUBLE", typeName: "DOUBLE" },
  float: { duckdb: "FLOAT", typeName: "FLOAT" },
  boolean: { duckdb: "BOOLEAN", typeName: "BOOLEAN" },
  timestamp: { duckdb: "TIMESTAMP", typeName: "TIMESTAMP" },
  timestamp_ntz: { duckdb: "TIMESTAMP", typeName: "TIMESTAMP_NTZ" },
  date: { duckdb: "DATE", typeName: "DATE" },
  binary: { duckdb: "BLOB", typeName: "BINARY" },
  // VARIANT (MLflow's v2 span attributes): kept as its JSON text, which is also what a
  // column-based result carries for it.
  variant: { duckdb: "VARCHAR", typeName: "VARIANT" },
};

/** `a:string,b:array<struct<c:int>>` → [["a","string"], ["b","array<struct<c:int>>"]] (top level only). */
function structFields(body: string): [string, string][] {
  const fields: [string, string][] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= body.length; i++) {
    const ch = body[i];
    if (ch === "<") depth++;
    else if (ch === ">") depth--;
    else if ((ch === "," && depth === 0) || i === body.length) {
      const field = body.slice(start, i);
      const colon = field.indexOf(":");
      if (colon <= 0) throw new Error(`Unsupported struct field "${field}"`);
      fields.push([field.slice(0, colon), field.slice(colon + 1)]);
      start = i + 1;
    }
  }
  return fields;
}

/** Normalises a Databricks type text: lower case, no spaces ("ARRAY<STRING>" → "array<string>"). */
export function normaliseTypeText(typeText: string): string {
  return typeText.replace(/\s+/g, "").toLowerCase();
}

export function toDuckDbType(typeText: string): string {
  const t = normaliseTypeText(typeText);
  const scalar = SCALARS[t];
  if (scalar) return scalar.duckdb;
  const array = /^array<(.+)>$/.exec(t);
  if (array?.[1]) return `${toDuckDbType(array[1])}[]`;
  const map = /^map<([^,]+),(.+)>$/.exec(t);
  if (map?.[1] && map[2]) return `MAP(${toDuckDbType(map[1])}, ${toDuckDbType(map[2])})`;
  const struct = /^struct<(.+)>$/.exec(t);
  if (struct?.[1]) {
    return `STRUCT(${structFields(struct[1])
      .map(([n, type]) => `"${n}" ${toDuckDbType(type)}`)
      .join(", ")})`;
  }
  throw new Error(`Unsupported Databricks column type "${typeText}"`);
}

export function ucTypeName(typeText: string): string {
  const t = normaliseTypeText(typeText);
  const scalar = SCALARS[t];
  if (scalar) return scalar.typeName;
  if (t.startsWith("array<")) return "ARRAY";
  if (t.startsWith("map<")) return "MAP";
  if (t.startsWith("struct<")) return "STRUCT";
  throw new Error(`Unsupported Databricks column type "${typeText}"`);
}

/** UC's `type_json`: a Spark StructField JSON. */
export function ucTypeJson(name: string, typeText: string, nullable: boolean): string {
  return JSON.stringify({ name, type: sparkJsonType(normaliseTypeText(typeText)), nullable, metadata: {} });
}

function sparkJsonType(t: string): unknown {
  const array = /^array<(.+)>$/.exec(t);
  if (array?.[1]) return { type: "array", elementType: sparkJsonType(array[1]), containsNull: true };
  const map = /^map<([^,]+),(.+)>$/.exec(t);
  if (map?.[1] && map[2]) {
    return {
      type: "map",
      keyType: sparkJsonType(map[1]),
      valueType: sparkJsonType(map[2]),
      valueContainsNull: true,
    };
  }
  const struct = /^struct<(.+)>$/.exec(t);
  if (struct?.[1]) {
    return {
      type: "struct",
      fields: structFields(struct[1]).map(([name, type]) => ({
        name,
        type: sparkJsonType(type),
        nullable: true,
        metadata: {},
      })),
    };
  }
  if (t === "int") return "integer";
  if (t === "bigint") return "long";
  return t;
}
