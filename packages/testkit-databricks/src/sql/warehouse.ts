import { randomUUID } from "node:crypto";
import { BIGINT, BOOLEAN, type DuckDBValue, VARCHAR } from "@duckdb/node-api";
import type { Metastore } from "../catalog/metastore.js";
import type { Grants, Privilege } from "../permissions/grants.js";
import { type Cursor, type DuckDbEngine, type ResultColumn, StaticCursor } from "./duckdb-engine.js";
import type { ResultEncoding } from "./result-delivery.js";
import { fromDuckDbError, insufficientPermissions, SqlError, tableNotFound } from "./sql-error.js";
import { parseTableName, type SqlParameter, translateSql } from "./translate.js";

/** Knobs shared with the fault injector: per-query latency and whether the warehouse runs. */
export interface WarehouseControls {
  sqlLatencyMs: number;
  state: "RUNNING" | "STOPPED";
}

export interface Session {
  id: string;
  principal: string;
  catalog: string;
  schema: string;
  operations: Set<string>;
}

export interface Operation {
  id: string;
  session: Session;
  state: "RUNNING" | "FINISHED" | "ERROR" | "CLOSED" | "CANCELED";
  /** Epoch ms before which the operation reports RUNNING (added SQL latency). */
  readyAt: number;
  error?: SqlError;
  cursor?: Cursor;
  columns: readonly ResultColumn[];
  /** Rows returned so far, and the size of each FetchResults batch (tests assert chunking). */
  rowsFetched: number;
  batches: number[];
  /** Re-opens the result from the start (FETCH_FIRST after rows were read). */
  reopen?: () => Promise<Cursor>;
  numModifiedRows?: number;
  /** How this operation's results are sent (set by the Thrift layer from the client's request). */
  encoding?: ResultEncoding;
}

/** Counters tests use to prove the client really paged through the result. */
export interface WarehouseStats {
  sessionsOpened: number;
  statementsExecuted: number;
  fetchResultsCalls: number;
  statements: string[];
  /** Results (statements and metadata calls) by the encoding they were sent in. */
  resultEncodings: Record<"columns" | "arrow" | "arrow-lz4" | "links" | "links-lz4", number>;
}

const DML = /^\s*(INSERT|UPDATE|DELETE|MERGE)\b/i;

/**
 * The Databricks semantics of the SQL warehouse, independent of Thrift: sessions with a current
 * catalog/schema, Databricks-style table resolution and errors, Unity Catalog grants on every
 * table a statement touches, and results read lazily in client-sized batches.
 */
export class SqlWarehouse {
  private readonly sessions = new Map<string, Session>();
  private readonly operations = new Map<string, Operation>();
  readonly stats: WarehouseStats = {
    sessionsOpened: 0,
    statementsExecuted: 0,
    fetchResultsCalls: 0,
    statements: [],
    resultEncodings: { columns: 0, arrow: 0, "arrow-lz4": 0, links: 0, "links-lz4": 0 },
  };

  constructor(
    readonly warehouseId: string,
    private readonly engine: DuckDbEngine,
    private readonly metastore: Metastore,
    private readonly grants: Grants,
    readonly controls: WarehouseControls,
    private readonly defaults: { catalog: string; schema: string },
  ) {}

  openSession(principal: string, catalog?: string, schema?: string): Session {
    const session: Session = {
      id: randomUUID(),
      principal,
      catalog: (catalog || this.defaults.catalog).toLowerCase(),
      schema: (schema || this.defaults.schema).toLowerCase(),
      operations: new Set(),
    };
    this.sessions.set(session.id, session);
    this.stats.sessionsOpened++;
    return session;
  }

  getSession(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  closeSession(id: string): boolean {
    const session = this.sessions.get(id);
    if (!session) return false;
    for (const op of session.operations) this.closeOperation(op);
    this.sessions.delete(id);
    return true;
  }

  getOperation(id: string): Operation | undefined {
    return this.operations.get(id);
  }

  closeOperation(id: string): boolean {
    const op = this.operations.get(id);
    if (!op) return false;
    op.cursor?.close();
    op.state = op.state === "CANCELED" ? "CANCELED" : "CLOSED";
    op.session.operations.delete(id);
    this.operations.delete(id);
    return true;
  }

  cancelOperation(id: string): boolean {
    const op = this.operations.get(id);
    if (!op) return false;
    op.cursor?.close();
    op.state = "CANCELED";
    return true;
  }

  /** Runs a statement; failures become an operation in ERROR state, as Databricks reports them. */
  async execute(
    session: Session,
    statement: string,
    parameters: readonly SqlParameter[],
  ): Promise<Operation> {
    this.stats.statementsExecuted++;
    this.stats.statements.push(statement);
    const op = this.newOperation(session);
    try {
      const open = await this.prepare(session, statement, parameters);
      op.reopen = open;
      const cursor = await open();
      op.cursor = cursor;
      op.columns = cursor.columns;
      if (cursor.rowsChanged !== undefined) op.numModifiedRows = cursor.rowsChanged;
      op.state = "FINISHED";
    } catch (error) {
      op.state = "ERROR";
      op.error = error instanceof SqlError ? error : fromDuckDbError(errorMessage(error));
    }
    return op;
  }

  /** A metadata operation (GetTables…) served from a fixed result. */
  staticOperation(session: Session, columns: readonly ResultColumn[], rows: DuckDBValue[][]): Operation {
    const op = this.newOperation(session);
    op.cursor = new StaticCursor(columns, rows);
    op.columns = columns;
    op.state = "FINISHED";
    op.reopen = async () => new StaticCursor(columns, rows);
    return op;
  }

  /** Reads up to maxRows rows; `fromStart` re-reads from the first row (FETCH_FIRST). */
  async fetch(op: Operation, maxRows: number, fromStart: boolean) {
    this.stats.fetchResultsCalls++;
    if (fromStart && op.rowsFetched > 0 && op.reopen) {
      op.cursor?.close();
      op.cursor = await op.reopen();
      op.rowsFetched = 0;
    }
    const offset = op.rowsFetched;
    const cursor = op.cursor;
    const batch = cursor
      ? await cursor.fetch(Math.max(1, maxRows))
      : { columns: op.columns.map(() => []), rowCount: 0 };
    op.rowsFetched += batch.rowCount;
    op.batches.push(batch.rowCount);
    return { batch, offset, hasMoreRows: cursor ? !cursor.exhausted : false };
  }

  /** Catalog/schema/table listings for the driver's metadata calls, filtered by grants. */
  visibleCatalogs(principal: string): string[] {
    return this.metastore
      .listCatalogs()
      .map((c) => c.name)
      .filter((c) => this.grants.has(principal, "USE CATALOG", c));
  }

  visibleSchemas(principal: string, catalog: string): string[] {
    if (!this.grants.has(principal, "USE CATALOG", catalog)) return [];
    return this.metastore.listSchemas(catalog).map((s) => s.name);
  }

  visibleTables(principal: string, catalog: string, schema: string) {
    if (this.grants.missingFor(principal, catalog, schema)) return [];
    return this.metastore.listTables(catalog, schema);
  }

  private newOperation(session: Session): Operation {
    const op: Operation = {
      id: randomUUID(),
      session,
      state: "RUNNING",
      readyAt: Date.now() + this.controls.sqlLatencyMs,
      columns: [],
      rowsFetched: 0,
      batches: [],
    };
    this.operations.set(op.id, op);
    session.operations.add(op.id);
    return op;
  }

  /** Validates and authorises a statement; returns how to open (and re-open) its result. */
  private async prepare(
    session: Session,
    rawStatement: string,
    parameters: readonly SqlParameter[],
  ): Promise<() => Promise<Cursor>> {
    const statement = rawStatement.trim().replace(/;\s*$/, "");
    const special = this.specialStatement(session, statement);
    if (special) return special;

    const translated = translateSql(statement, parameters);
    const parseOnly = translateSql(statement, parameters, { inlineNulls: true }).sql;
    const isDml = DML.test(statement);
    const target = isDml ? dmlTarget(parseOnly) : undefined;
    const reads = await this.readTables(isDml ? selectPart(parseOnly) : parseOnly);
    if (target) this.authorise(session, target, "MODIFY");
    for (const ref of reads) this.authorise(session, ref, "SELECT");

    const namespace = { catalog: session.catalog, schema: session.schema };
    if (isDml) {
      return async () => {
        const cursor = await this.engine.openCursor(translated.sql, translated.values, namespace);
        const batch = await cursor.fetch(1);
        cursor.close();
        const count = Number(batch.columns[0]?.[0] ?? 0);
        const dmlCursor = new StaticCursor(
          [
            { name: "num_affected_rows", type: BIGINT },
            { name: "num_inserted_rows", type: BIGINT },
          ],
          [[BigInt(count), BigInt(/^\s*INSERT/i.test(statement) ? count : 0)]],
        );
        return Object.assign(dmlCursor, { rowsChanged: count });
      };
    }
    return () => this.engine.openCursor(translated.sql, translated.values, namespace);
  }

  private async readTables(sql: string): Promise<string[][]> {
    if (!sql.trim()) return [];
    let names: readonly string[];
    try {
      names = await this.engine.tableNames(sql);
    } catch (error) {
      throw fromDuckDbError(errorMessage(error));
    }
    return names.map((n) => [...parseTableName(n)]);
  }

  /** Resolves a 1–3 part name in the session, checks it exists and that the caller may use it. */
  private authorise(session: Session, asWritten: readonly string[], privilege: Privilege): void {
    const resolved = resolveName(session, asWritten);
    const [catalog, schema, table] = resolved;
    // Databricks checks USE CATALOG / USE SCHEMA before it reveals whether the table exists.
    const containerDenial = this.grants.missingFor(session.principal, catalog, schema);
    if (containerDenial && this.metastore.getCatalog(catalog)) throw insufficientPermissions(containerDenial);
    if (!this.metastore.getTable(resolved.join("."))) throw tableNotFound(asWritten);
    const denial = this.grants.missingFor(session.principal, catalog, schema, table, privilege);
    if (denial) throw insufficientPermissions(denial);
  }

  /** SHOW TABLES, DESCRIBE and USE: answered from the metastore, Databricks-shaped. */
  private specialStatement(session: Session, statement: string): (() => Promise<Cursor>) | undefined {
    const show = /^SHOW\s+TABLES(?:\s+(?:IN|FROM)\s+([`\w.]+))?$/i.exec(statement);
    if (show) {
      const parts = (show[1] ?? "").replace(/`/g, "").split(".").filter(Boolean);
      const [catalog, schema] =
        parts.length === 2 ? (parts as [string, string]) : [session.catalog, parts[0] ?? session.schema];
      const denial = this.grants.missingFor(session.principal, catalog, schema);
      if (denial) throw insufficientPermissions(denial);
      if (!this.metastore.getSchema(catalog, schema)) {
        throw new SqlError(
          "SCHEMA_NOT_FOUND",
          `The schema \`${catalog}\`.\`${schema}\` cannot be found. Verify the spelling and correctness of the schema and catalog.`,
          "42704",
        );
      }
      const rows = this.metastore
        .listTables(catalog, schema)
        .map((t): DuckDBValue[] => [schema, t.name, false]);
      const columns = [
        { name: "database", type: VARCHAR },
        { name: "tableName", type: VARCHAR },
        { name: "isTemporary", type: BOOLEAN },
      ];
      return async () => new StaticCursor(columns, rows);
    }
    const describe = /^DESC(?:RIBE)?(?:\s+TABLE)?(?:\s+EXTENDED)?\s+([`\w.]+)$/i.exec(statement);
    if (describe?.[1]) {
      const asWritten = describe[1].replace(/`/g, "").split(".");
      this.authorise(session, asWritten, "SELECT");
      const info = this.metastore.getTable(resolveName(session, asWritten).join("."));
      const rows = (info?.columns ?? []).map((c): DuckDBValue[] => [c.name, c.type_text, c.comment ?? null]);
      const columns = [
        { name: "col_name", type: VARCHAR },
        { name: "data_type", type: VARCHAR },
        { name: "comment", type: VARCHAR },
      ];
      return async () => new StaticCursor(columns, rows);
    }
    const use = /^USE\s+(CATALOG\s+|SCHEMA\s+|DATABASE\s+)?([`\w.]+)$/i.exec(statement);
    if (use?.[2]) {
      const kind = (use[1] ?? "").trim().toUpperCase();
      const parts = use[2].replace(/`/g, "").toLowerCase().split(".");
      if (kind === "CATALOG") {
        session.catalog = parts[0] ?? session.catalog;
      } else if (parts.length === 2) {
        session.catalog = parts[0] as string;
        session.schema = parts[1] as string;
      } else {
        session.schema = parts[0] ?? session.schema;
      }
      return async () => new StaticCursor([], []);
    }
    return undefined;
  }
}

function resolveName(session: Session, parts: readonly string[]): [string, string, string] {
  const p = parts.map((x) => x.toLowerCase());
  if (p.length >= 3) return [p[0] as string, p[1] as string, p[2] as string];
  if (p.length === 2) return [session.catalog, p[0] as string, p[1] as string];
  return [session.catalog, session.schema, p[0] as string];
}

/** The table an INSERT/UPDATE/DELETE/MERGE writes to. */
function dmlTarget(sql: string): string[] | undefined {
  const m =
    /^\s*(?:INSERT\s+(?:INTO|OVERWRITE)(?:\s+TABLE)?|UPDATE|DELETE\s+FROM|MERGE\s+INTO)\s+((?:"(?:[^"]|"")*"|[\w]+)(?:\.(?:"(?:[^"]|"")*"|[\w]+)){0,2})/i.exec(
      sql,
    );
  return m?.[1] ? [...parseTableName(m[1])] : undefined;
}

/** The query part of INSERT … SELECT (tables it reads), or "" for INSERT … VALUES. */
function selectPart(sql: string): string {
  const m = /\b(SELECT|WITH)\b/i.exec(sql);
  return m ? sql.slice(m.index) : "";
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
