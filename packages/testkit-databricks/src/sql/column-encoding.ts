import { type DuckDBType, DuckDBTypeId, type DuckDBValue } from "@duckdb/node-api";
import type { ResultColumn, RowBatch } from "./duckdb-engine.js";
import { TTypeId } from "./thrift-codegen.js";

type TTypeIdValue = (typeof TTypeId)[keyof typeof TTypeId];

/** The Thrift column family a Thrift type is sent in (COLUMN_BASED_SET). */
type ColumnField = "boolVal" | "byteVal" | "i16Val" | "i32Val" | "i64Val" | "doubleVal" | "stringVal";

/**
 * Maps a DuckDB type to the Thrift type a Databricks warehouse reports. As in Databricks'
 * column-based results, TIMESTAMP, DATE, DECIMAL and complex types travel as strings (the driver
 * passes timestamps through as strings and JSON-parses arrays/maps/structs).
 */
export function thriftTypeOf(type: DuckDBType): TTypeIdValue {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return TTypeId.BOOLEAN;
    case DuckDBTypeId.TINYINT:
      return TTypeId.TINYINT;
    case DuckDBTypeId.SMALLINT:
      return TTypeId.SMALLINT;
    case DuckDBTypeId.INTEGER:
      return TTypeId.INT;
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.UINTEGER:
      return TTypeId.BIGINT;
    case DuckDBTypeId.FLOAT:
      return TTypeId.FLOAT;
    case DuckDBTypeId.DOUBLE:
      return TTypeId.DOUBLE;
    case DuckDBTypeId.DECIMAL:
      return TTypeId.DECIMAL;
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return TTypeId.TIMESTAMP;
    case DuckDBTypeId.DATE:
      return TTypeId.DATE;
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return TTypeId.ARRAY;
    case DuckDBTypeId.MAP:
      return TTypeId.MAP;
    case DuckDBTypeId.STRUCT:
      return TTypeId.STRUCT;
    case DuckDBTypeId.BLOB:
      return TTypeId.BINARY;
    case DuckDBTypeId.SQLNULL:
      return TTypeId.NULL;
    default:
      return TTypeId.STRING;
  }
}

/** Spark's type name for a Thrift type, as Databricks puts in TColumnDesc / metadata rows. */
export function sparkTypeName(type: DuckDBType): string {
  switch (thriftTypeOf(type)) {
    case TTypeId.BOOLEAN:
      return "BOOLEAN";
    case TTypeId.TINYINT:
      return "TINYINT";
    case TTypeId.SMALLINT:
      return "SMALLINT";
    case TTypeId.INT:
      return "INT";
    case TTypeId.BIGINT:
      return "BIGINT";
    case TTypeId.FLOAT:
      return "FLOAT";
    case TTypeId.DOUBLE:
      return "DOUBLE";
    case TTypeId.DECIMAL:
      return "DECIMAL";
    case TTypeId.TIMESTAMP:
      return "TIMESTAMP";
    case TTypeId.DATE:
      return "DATE";
    case TTypeId.ARRAY:
      return "ARRAY";
    case TTypeId.MAP:
      return "MAP";
    case TTypeId.STRUCT:
      return "STRUCT";
    case TTypeId.BINARY:
      return "BINARY";
    case TTypeId.NULL:
      return "VOID";
    default:
      return "STRING";
  }
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
