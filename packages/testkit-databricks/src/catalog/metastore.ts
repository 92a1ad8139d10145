import { createHash } from "node:crypto";
import { normaliseTypeText, toDuckDbType, ucTypeJson, ucTypeName } from "./column-types.js";

export interface ColumnSpec {
  name: string;
  /** Databricks type text, e.g. "string", "bigint", "array<string>", "map<string,string>". */
  type: string;
  comment?: string;
  nullable?: boolean;
}

export interface TableSpec {
  catalog: string;
  schema: string;
  name: string;
  columns: readonly ColumnSpec[];
  comment?: string;
  properties?: Record<string, string>;
  tableType?: "MANAGED" | "EXTERNAL" | "VIEW";
  /** A view's query (DuckDB SQL): the object is created as a view (table_type VIEW) over it. */
  viewSql?: string;
}

/** Who made a securable and when, and the metastore it is in: the fields Unity Catalog's infos share. */
export interface OwnedByMetastore {
  owner: string;
  created_at: number;
  created_by: string;
  updated_at: number;
  metastore_id: string;
}

/** Unity Catalog TableInfo as the REST API returns it. */
export interface TableInfo extends OwnedByMetastore {
  name: string;
  catalog_name: string;
  schema_name: string;
  full_name: string;
  table_type: string;
  data_source_format: string;
  columns: {
    name: string;
    type_text: string;
    type_name: string;
    type_json: string;
    position: number;
    nullable: boolean;
    comment?: string;
  }[];
  comment?: string;
  properties: Record<string, string>;
  updated_by: string;
  table_id: string;
  storage_location: string;
}

export interface CatalogInfo extends OwnedByMetastore {
  name: string;
  comment?: string;
  catalog_type: string;
  isolation_mode: string;
  full_name: string;
  id: string;
}

export interface SchemaInfo extends OwnedByMetastore {
  name: string;
  catalog_name: string;
  full_name: string;
  comment?: string;
  schema_id: string;
}

export interface ModelVersionInfo {
  version: number;
  model_name: string;
  catalog_name: string;
  schema_name: string;
  status: string;
  source: string;
  run_id: string;
  comment?: string;
  created_at: number;
  created_by: string;
  updated_at: number;
  id: string;
}

export interface RegisteredModelInfo extends OwnedByMetastore {
  name: string;
  catalog_name: string;
  schema_name: string;
  full_name: string;
  comment?: string;
  storage_location: string;
  id: string;
  aliases: { alias_name: string; version_num: number }[];
}

/** Anything that can run DDL: the emulator's DuckDB engine. */
export interface DdlRunner {
  exec(sql: string): Promise<void>;
}

export const METASTORE_ID = "4b3c2a1d-0e9f-4a8b-9c7d-6e5f4a3b2c1d";
const OWNER = "admins@example.com";

/**
 * The Unity Catalog view of the workspace: catalogs, schemas, tables (with Databricks column
 * types), registered models. Tables are created here AND in DuckDB (one attached in-memory
 * database per catalog), so REST metadata and SQL agree.
 */
export class Metastore {
  private readonly catalogs = new Map<string, CatalogInfo>();
  private readonly schemas = new Map<string, SchemaInfo>();
  private readonly tables = new Map<string, TableInfo>();
  private readonly models = new Map<string, RegisteredModelInfo>();
  private readonly versions = new Map<string, ModelVersionInfo[]>();

  constructor(
    private readonly ddl: DdlRunner,
    /** Epoch ms used for created_at/updated_at of seeded objects. */
    private readonly createdAt: number,
  ) {}

  /** Every seeded securable is the admin's, made when the workspace was seeded. */
  private ownedByMetastore(): OwnedByMetastore {
    return {
      owner: OWNER,
      created_at: this.createdAt,
      created_by: OWNER,
      updated_at: this.createdAt,
      metastore_id: METASTORE_ID,
    };
  }

  async createCatalog(name: string, comment?: string): Promise<CatalogInfo> {
    const key = name.toLowerCase();
    const existing = this.catalogs.get(key);
    if (existing) return existing;
    await this.ddl.exec(`ATTACH ':memory:' AS ${quote(key)}`);
    const info: CatalogInfo = {
      name: key,
      full_name: key,
      ...(comment ? { comment } : {}),
      ...this.ownedByMetastore(),
      catalog_type: "MANAGED_CATALOG",
      isolation_mode: "OPEN",
      id: stableUuid(`catalog:${key}`),
    };
    this.catalogs.set(key, info);
    return info;
  }

  async createSchema(catalog: string, name: string, comment?: string): Promise<SchemaInfo> {
    const c = catalog.toLowerCase();
    const key = `${c}.${name.toLowerCase()}`;
    const existing = this.schemas.get(key);
    if (existing) return existing;
    if (!this.catalogs.has(c)) await this.createCatalog(c);
    // DuckDB gives every attached database a "main" schema already.
    if (name.toLowerCase() !== "main")
      await this.ddl.exec(`CREATE SCHEMA ${quote(c)}.${quote(name.toLowerCase())}`);
    const info: SchemaInfo = {
      name: name.toLowerCase(),
      catalog_name: c,
      full_name: key,
      ...(comment ? { comment } : {}),
      ...this.ownedByMetastore(),
      schema_id: stableUuid(`schema:${key}`),
    };
    this.schemas.set(key, info);
    return info;
  }

  async createTable(spec: TableSpec): Promise<TableInfo> {
    const catalog = spec.catalog.toLowerCase();
    const schema = spec.schema.toLowerCase();
    const name = spec.name.toLowerCase();
    const fullName = `${catalog}.${schema}.${name}`;
    if (this.tables.has(fullName)) throw new Error(`Table ${fullName} already exists`);
    if (!this.schemas.has(`${catalog}.${schema}`)) await this.createSchema(catalog, schema);
    const target = `${quote(catalog)}.${quote(schema)}.${quote(name)}`;
    if (spec.viewSql !== undefined) {
      await this.ddl.exec(`CREATE VIEW ${target} AS ${spec.viewSql}`);
    } else {
      const columnsSql = spec.columns.map((c) => `${quote(c.name)} ${toDuckDbType(c.type)}`).join(", ");
      await this.ddl.exec(`CREATE TABLE ${target} (${columnsSql})`);
    }
    const tableId = stableUuid(`table:${fullName}`);
    const info: TableInfo = {
      name,
      catalog_name: catalog,
      schema_name: schema,
      full_name: fullName,
      table_type: spec.viewSql !== undefined ? "VIEW" : (spec.tableType ?? "MANAGED"),
      data_source_format: spec.viewSql !== undefined ? "UNKNOWN_DATA_SOURCE_FORMAT" : "DELTA",
      columns: spec.columns.map((c, position) => {
        const nullable = c.nullable ?? true;
        return {
          name: c.name,
          type_text: normaliseTypeText(c.type),
          type_name: ucTypeName(c.type),
          type_json: ucTypeJson(c.name, c.type, nullable),
          position,
          nullable,
          ...(c.comment ? { comment: c.comment } : {}),
        };
      }),
      ...(spec.comment ? { comment: spec.comment } : {}),
      properties: { "delta.minReaderVersion": "1", "delta.minWriterVersion": "2", ...spec.properties },
      ...this.ownedByMetastore(),
      updated_by: OWNER,
      table_id: tableId,
      storage_location: `s3://emulator-metastore/${METASTORE_ID}/tables/${tableId}`,
    };
    this.tables.set(fullName, info);
    return info;
  }

  createModel(
    catalog: string,
    schema: string,
    name: string,
    versions: number,
    aliases: Record<string, number>,
    comment?: string,
  ): RegisteredModelInfo {
    const fullName = `${catalog}.${schema}.${name}`.toLowerCase();
    const info: RegisteredModelInfo = {
      name: name.toLowerCase(),
      catalog_name: catalog.toLowerCase(),
      schema_name: schema.toLowerCase(),
      full_name: fullName,
      ...(comment ? { comment } : {}),
      ...this.ownedByMetastore(),
      storage_location: `s3://emulator-metastore/${METASTORE_ID}/models/${stableUuid(fullName)}`,
      id: stableUuid(`model:${fullName}`),
      aliases: Object.entries(aliases).map(([alias_name, version_num]) => ({ alias_name, version_num })),
    };
    this.models.set(fullName, info);
    this.versions.set(
      fullName,
      Array.from({ length: versions }, (_, i) => ({
        version: i + 1,
        model_name: info.name,
        catalog_name: info.catalog_name,
        schema_name: info.schema_name,
        status: "READY",
        source: `dbfs:/databricks/mlflow-tracking/${stableUuid(`exp:${fullName}`)}/${stableUuid(`run:${fullName}:${i}`).replace(/-/g, "")}/artifacts/agent`,
        run_id: stableUuid(`run:${fullName}:${i}`).replace(/-/g, ""),
        created_at: this.createdAt + i * 3_600_000,
        created_by: OWNER,
        updated_at: this.createdAt + i * 3_600_000,
        id: stableUuid(`version:${fullName}:${i}`),
      })),
    );
    return info;
  }

  listCatalogs(): CatalogInfo[] {
    return [...this.catalogs.values()];
  }
  getCatalog(name: string): CatalogInfo | undefined {
    return this.catalogs.get(name.toLowerCase());
  }
  listSchemas(catalog: string): SchemaInfo[] {
    const c = catalog.toLowerCase();
    return [...this.schemas.values()].filter((s) => s.catalog_name === c);
  }
  getSchema(catalog: string, schema: string): SchemaInfo | undefined {
    return this.schemas.get(`${catalog}.${schema}`.toLowerCase());
  }
  listTables(catalog: string, schema: string): TableInfo[] {
    const c = catalog.toLowerCase();
    const s = schema.toLowerCase();
    return [...this.tables.values()]
      .filter((t) => t.catalog_name === c && t.schema_name === s)
      .sort((a, b) => a.name.localeCompare(b.name));
  }
  getTable(fullName: string): TableInfo | undefined {
    return this.tables.get(fullName.toLowerCase());
  }
  listModels(catalog?: string, schema?: string): RegisteredModelInfo[] {
    return [...this.models.values()].filter(
      (m) =>
        (catalog === undefined || m.catalog_name === catalog.toLowerCase()) &&
        (schema === undefined || m.schema_name === schema.toLowerCase()),
    );
  }
  getModel(fullName: string): RegisteredModelInfo | undefined {
    return this.models.get(fullName.toLowerCase());
  }
  listModelVersions(fullName: string): ModelVersionInfo[] {
    return this.versions.get(fullName.toLowerCase()) ?? [];
  }
}

/** Double-quotes an identifier for DuckDB. */
export function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** A deterministic UUID (v4-shaped) derived from a name, so seeded ids are stable across runs. */
export function stableUuid(name: string): string {
  const h = createHash("sha256").update(name).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x40;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
