import { createRequire } from "node:module";
import { type DuckDBType, DuckDBTypeId, type DuckDBValue } from "@duckdb/node-api";
import { databricksText } from "./column-encoding.js";
import type { ResultColumn, RowBatch } from "./duckdb-engine.js";

// apache-arrow 13's ESM entry has no type declarations; its CommonJS build has them, and is the
// copy the @databricks/sql driver loads.
const {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  List,
  Map_,
  makeBuilder,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimeUnit,
  Timestamp,
  tableToIPC,
  Utf8,
} = createRequire(import.meta.url)("apache-arrow") as Arrow;
type Arrow = typeof import("apache-arrow", { with: { "resolution-mode": "require" }});
type DataType = InstanceType<Arrow["DataType"]>;
type Field = InstanceType<Arrow["Field"]>;
type RecordBatch = InstanceType<Arrow["RecordBatch"]>;
type Schema = InstanceType<Arrow["Schema"]>;
type Struct = InstanceType<Arrow["Struct"]>;

/**
 * Which types travel as Arrow types instead of strings: the client's `useArrowNativeTypes`
 * (TSparkArrowTypes). Absent flags mean strings, as on a warehouse.
 */
export interface ArrowNativeTypes {
  timestamp: boolean;
  decimal: boolean;
  complex: boolean;
}

/** Spark writes the SQL type name of a field into its Arrow metadata (VARIANT is only known by it). */
const SQL_NAME_KEY = "Spark:DataType:SqlName";
/** Spark's session time zone for TIMESTAMP (warehouses default to UTC). */
const SESSION_ZONE = "Etc/UTC";
const EOS = Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/**
 * Encodes result batches as Arrow IPC the way a Databricks warehouse does (Spark's ArrowUtils):
 * the schema once (`arrowSchema` of the result metadata), each batch as record-batch messages that
 * follow it; list children are named `element`, map entries `entries{key,value}` — names the
 * drivers look up.
 */
export class ArrowResultEncoder {
  readonly schema: Schema;
  /** The IPC stream's schema message (no end-of-stream marker), as `arrowSchema` carries it. */
  readonly schemaBytes: Buffer;

  constructor(
    private readonly columns: readonly ResultColumn[],
    native: ArrowNativeTypes,
  ) {
    this.schema = new Schema(columns.map((c) => fieldOf(c.name, c.type, native)));
    this.schemaBytes = withoutEos(Buffer.from(tableToIPC(new Table(this.schema), "stream")));
  }

  /** One batch as record-batch messages, to be read after `schemaBytes` (ARROW_BASED_SET). */
  batchMessages(batch: RowBatch): Buffer {
    const stream = this.stream(batch);
    return withoutEos(stream.subarray(this.schemaBytes.length));
  }

  /** One batch as a complete IPC stream, schema first (a cloud-fetch result file). */
  stream(batch: RowBatch): Buffer {
    return Buffer.from(tableToIPC(new Table([this.recordBatch(batch)]), "stream"));
  }

  private recordBatch(batch: RowBatch): RecordBatch {
    const children = this.schema.fields.map((field, c) => {
      const builder = makeBuilder({ type: field.type, nullValues: [null, undefined] });
      const column = this.columns[c] as ResultColumn;
      for (const v of batch.columns[c] ?? []) builder.append(arrowValue(column.type, v, field.type));
      return builder.finish().flush();
    });
    const data = makeData({
      type: new Struct(this.schema.fields),
      length: batch.rowCount,
      nullCount: 0,
      children,
    });
    return new RecordBatch(this.schema, data);
  }
}

function withoutEos(bytes: Buffer): Buffer {
  return bytes.length >= EOS.length && bytes.subarray(bytes.length - EOS.length).equals(EOS)
    ? bytes.subarray(0, bytes.length - EOS.length)
    : bytes;
}

function fieldOf(name: string, type: DuckDBType, native: ArrowNativeTypes): Field {
  const sqlName = isVariant(type) ? "VARIANT" : undefined;
  const metadata = sqlName ? new Map([[SQL_NAME_KEY, sqlName]]) : undefined;
  return new Field(name, arrowTypeOf(type, native), true, metadata);
}

/** VARIANT columns are seeded as DuckDB JSON (or DuckDB's own VARIANT); both travel as JSON text. */
export function isVariant(type: DuckDBType): boolean {
  return type.typeId === DuckDBTypeId.VARIANT || type.alias?.toUpperCase() === "JSON";
}

function arrowTypeOf(type: DuckDBType, native: ArrowNativeTypes): DataType {
  if (isVariant(type)) return new Utf8();
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return new Bool();
    case DuckDBTypeId.TINYINT:
      return new Int8();
    case DuckDBTypeId.SMALLINT:
      return new Int16();
    case DuckDBTypeId.INTEGER:
      return new Int32();
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.UINTEGER:
      return new Int64();
    case DuckDBTypeId.FLOAT:
      return new Float32();
    case DuckDBTypeId.DOUBLE:
      return new Float64();
    case DuckDBTypeId.DECIMAL: {
      const { width, scale } = type as unknown as { width: number; scale: number };
      return native.decimal ? new Decimal(scale, width, 128) : new Utf8();
    }
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return native.timestamp ? new Timestamp(TimeUnit.MICROSECOND, SESSION_ZONE) : new Utf8();
    case DuckDBTypeId.DATE:
      return new DateDay();
    case DuckDBTypeId.BLOB:
      return new Binary();
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      if (!native.complex) return new Utf8();
      const child = (type as unknown as { valueType: DuckDBType }).valueType;
      return new List(new Field("element", arrowTypeOf(child, native), true));
    }
    case DuckDBTypeId.MAP: {
      if (!native.complex) return new Utf8();
      const { keyType, valueType } = type as unknown as { keyType: DuckDBType; valueType: DuckDBType };
      const entries = new Struct([
        new Field("key", arrowTypeOf(keyType, native), false),
        new Field("value", arrowTypeOf(valueType, native), true),
      ]);
      return new Map_(new Field("entries", entries, false));
    }
    case DuckDBTypeId.STRUCT: {
      if (!native.complex) return new Utf8();
      const entries = (type as unknown as { entryNames: string[]; entryTypes: DuckDBType[] }).entryNames.map(
        (entryName, i) =>
          new Field(
            entryName,
            arrowTypeOf(
              (type as unknown as { entryTypes: DuckDBType[] }).entryTypes[i] as DuckDBType,
              native,
            ),
            true,
          ),
      );
      return new Struct(entries);
    }
    default:
      return new Utf8();
  }
}

/** A DuckDB value as the builder of its Arrow type (the column's field type) takes it. */
function arrowValue(type: DuckDBType, v: DuckDBValue, arrowType: DataType): unknown {
  if (v === null || v === undefined) return null;
  if (arrowType instanceof Utf8) return databricksText(v);
  switch (type.typeId) {
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.UINTEGER:
      return BigInt(v as bigint | number);
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return Number(v);
    case DuckDBTypeId.BOOLEAN:
      return Boolean(v);
    case DuckDBTypeId.DECIMAL:
      return decimalWords((v as unknown as { value: bigint }).value);
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
      // The builder takes epoch milliseconds and scales them to the field's unit.
      return epochMillis(v);
    case DuckDBTypeId.DATE:
      return new Date(Number((v as unknown as { days: number }).days) * 86_400_000);
    case DuckDBTypeId.BLOB:
      return (v as unknown as { bytes: Uint8Array }).bytes;
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      // Children keep their own Arrow types (a nested TIMESTAMP is an Arrow timestamp, as in Spark).
      const element = arrowType.children[0]?.type as DataType;
      const items = (v as unknown as { items: DuckDBValue[] }).items;
      return items.map((x) => arrowValue(type.valueType, x, element));
    }
    case DuckDBTypeId.MAP: {
      const entriesType = arrowType.children[0]?.type as Struct;
      const [keyField, valueField] = entriesType.children;
      const entries = (v as unknown as { entries: { key: DuckDBValue; value: DuckDBValue }[] }).entries;
      return new Map(
        entries.map((e) => [
          arrowValue(type.keyType, e.key, keyField?.type as DataType),
          arrowValue(type.valueType, e.value, valueField?.type as DataType),
        ]),
      );
    }
    case DuckDBTypeId.STRUCT: {
      const entries = (v as unknown as { entries: Record<string, DuckDBValue> }).entries;
      return Object.fromEntries(
        arrowType.children.map((f, i) => [
          f.name,
          arrowValue(type.entryTypes[i] as DuckDBType, entries[f.name] ?? null, f.type),
        ]),
      );
    }
    default:
      return databricksText(v);
  }
}

function epochMillis(v: DuckDBValue): number {
  const o = v as unknown as { micros?: bigint; millis?: bigint; seconds?: bigint; nanos?: bigint };
  if (o.micros !== undefined) return Number(o.micros) / 1000;
  if (o.millis !== undefined) return Number(o.millis);
  if (o.seconds !== undefined) return Number(o.seconds) * 1000;
  if (o.nanos !== undefined) return Number(o.nanos) / 1_000_000;
  return Number(v);
}

/** A 128-bit two's-complement integer as four little-endian 32-bit words (Arrow's Decimal128). */
function decimalWords(unscaled: bigint): Uint32Array {
  const words = new Uint32Array(4);
  let x = BigInt.asUintN(128, unscaled);
  for (let i = 0; i < 4; i++) {
    words[i] = Number(x & 0xffff_ffffn);
    x >>= 32n;
  }
  return words;
}
