import { type DuckDBType, DuckDBTypeId, type DuckDBValue } from "@duckdb/node-api";
import type { ResultColumn, RowBatch } from "./duckdb-engine.js";
import { TTypeId } from "./thrift-codegen.js";

type ThriftTypeName = keyof typeof TTypeId;
type TTypeIdValue = (typeof TTypeId)[ThriftTypeName];

/** The Thrift column family a Thrift type is sent in (COLUMN_BASED_SET). */
type ColumnField = "boolVal" | "byteVal" | "i16Val" | "i32Val" | "i64Val" | "doubleVal" | "stringVal";

/**
 * For each Thrift type a Databricks warehouse reports, the DuckDB types that stand for it here; any
 * other DuckDB type is reported as STRING. As in Databricks' column-based results, TIMESTAMP, DATE, DECIMAL and complex types travel
 * as strings (the driver passes timestamps through as strings and JSON-parses arrays/maps/structs).
 */
const DUCKDB_TYPES_BY_THRIFT_TYPE: Partial<Record<ThriftTypeName, readonly DuckDBTypeId[]>> = {
  BOOLEAN: [DuckDBTypeId.BOOLEAN],
  TINYINT: [DuckDBTypeId.TINYINT],
  SMALLINT: [DuckDBTypeId.SMALLINT],
  INT: [DuckDBTypeId.INTEGER],
  BIGINT: [DuckDBTypeId.BIGINT, DuckDBTypeId.HUGEINT, DuckDBTypeId.UBIGINT, DuckDBTypeId.UINTEGER],
  FLOAT: [DuckDBTypeId.FLOAT],
  DOUBLE: [DuckDBTypeId.DOUBLE],
  DECIMAL: [DuckDBTypeId.DECIMAL],
  TIMESTAMP: [
    DuckDBTypeId.TIMESTAMP,
    DuckDBTypeId.TIMESTAMP_MS,
    DuckDBTypeId.TIMESTAMP_S,
    DuckDBTypeId.TIMESTAMP_NS,
    DuckDBTypeId.TIMESTAMP_TZ,
  ],
  DATE: [DuckDBTypeId.DATE],
  ARRAY: [DuckDBTypeId.LIST, DuckDBTypeId.ARRAY],
  MAP: [DuckDBTypeId.MAP],
  STRUCT: [DuckDBTypeId.STRUCT],
  BINARY: [DuckDBTypeId.BLOB],
  NULL: [DuckDBTypeId.SQLNULL],
};

const THRIFT_TYPE_OF_DUCKDB_TYPE = new Map<DuckDBTypeId, TTypeIdValue>(
  Object.entries(DUCKDB_TYPES_BY_THRIFT_TYPE).flatMap(([name, duckdbTypes]) =>
    (duckdbTypes ?? []).map((duckdbType) => [duckdbType, TTypeId[name as ThriftTypeName]]),
  ),
);

/** Maps a DuckDB type to the Thrift type a Databricks warehouse reports. */
export function thriftTypeOf(type: DuckDBType): TTypeIdValue {
  return THRIFT_TYPE_OF_DUCKDB_TYPE.get(type.typeId) ?? TTypeId.STRING;
}

/** Spark's type names (as Databricks puts them in TColumnDesc / metadata rows) are the Thrift ones, but VOID for NULL. */
const SPARK_TYPE_NAME = new Map<TTypeIdValue, string>(
  Object.entries(TTypeId).map(([name, id]) => [id, name === "NULL" ? "VOID" : name]),
);

/** Spark's type name for the Thrift type a DuckDB type is reported as. */
export function sparkTypeName(type: DuckDBType): string {
  return SPARK_TYPE_NAME.get(thriftTypeOf(type)) ?? "STRING";
}

export function tableSchema(columns: readonly ResultColumn[]): object {
  return {
    columns: columns.map((c, i) => ({
      columnName: c.name,
      typeDesc: { types: [{ primitiveEntry: primitiveEntry(c.type) }] },
      position: i + 1,
      comment: "",
    })),
  };
}

/** A column's TPrimitiveTypeEntry: DECIMAL carries its precision and scale (clients require them). */
function primitiveEntry(type: DuckDBType): object {
  if (type.typeId !== DuckDBTypeId.DECIMAL) return { type: thriftTypeOf(type) };
  return {
    type: TTypeId.DECIMAL,
    typeQualifiers: {
      qualifiers: { precision: { i32Value: type.width }, scale: { i32Value: type.scale } },
    },
  };
}

/** Encodes a column-major batch as TRowSet columns (values + null bitmap per column). */
export function encodeColumns(columns: readonly ResultColumn[], batch: RowBatch): object[] {
  return columns.map((column, c) => {
    const values = batch.columns[c] ?? [];
    const thriftType = thriftTypeOf(column.type);
    const field = fieldFor(thriftType);
    const nulls = Buffer.alloc(Math.ceil(values.length / 8));
    const encoded: unknown[] = new Array(values.length);
    for (let r = 0; r < values.length; r++) {
      const v = values[r];
      if (v === null || v === undefined) {
        nulls[r >> 3] = (nulls[r >> 3] ?? 0) | (1 << (r & 7));
        encoded[r] = placeholder(field);
      } else {
        encoded[r] = encodeValue(field, v);
      }
    }
    return { [field]: { values: encoded, nulls } };
  });
}

function fieldFor(type: TTypeIdValue): ColumnField {
  switch (type) {
    case TTypeId.BOOLEAN:
      return "boolVal";
    case TTypeId.TINYINT:
      return "byteVal";
    case TTypeId.SMALLINT:
      return "i16Val";
    case TTypeId.INT:
      return "i32Val";
    case TTypeId.BIGINT:
      return "i64Val";
    case TTypeId.FLOAT:
    case TTypeId.DOUBLE:
      return "doubleVal";
    default:
      return "stringVal";
  }
}

function placeholder(field: ColumnField): unknown {
  switch (field) {
    case "boolVal":
      return false;
    case "stringVal":
      return "";
    default:
      return 0;
  }
}

function encodeValue(field: ColumnField, v: DuckDBValue): unknown {
  switch (field) {
    case "boolVal":
      return Boolean(v);
    case "byteVal":
    case "i16Val":
    case "i32Val":
    case "doubleVal":
      return Number(v);
    case "i64Val":
      // thrift's writeI64 wraps a number in node-int64 (exact up to 2^53, enough here).
      return Number(v);
    default:
      return databricksText(v);
  }
}

/** Databricks' string form of a value: JSON for complex types, SQL text otherwise. */
export function databricksText(v: DuckDBValue): string {
  if (typeof v === "string") return v;
  if (typeof v === "object" && v !== null && ("items" in v || "entries" in v)) {
    return JSON.stringify(toJsonValue(v));
  }
  return String(v);
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A complex value (LIST, MAP, STRUCT) as JSON data; scalars inside keep their SQL text or number. */
export function toJsonValue(v: DuckDBValue): JsonValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return Number(v);
  if (typeof v !== "object") return v;
  if ("items" in v && Array.isArray(v.items)) return v.items.map((item) => toJsonValue(item as DuckDBValue));
  if ("entries" in v) {
    const entries = v.entries as unknown;
    if (Array.isArray(entries)) {
      // MAP: [{key, value}]
      return Object.fromEntries(
        entries.map((e: { key: DuckDBValue; value: DuckDBValue }) => [
          String(toJsonValue(e.key)),
          toJsonValue(e.value),
        ]),
      );
    }
    // STRUCT: {name: value}
    return Object.fromEntries(
      Object.entries(entries as Record<string, DuckDBValue>).map(([k, val]) => [k, toJsonValue(val)]),
    );
  }
  return String(v);
}
