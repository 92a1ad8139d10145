import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBResult,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
  VARCHAR,
} from "@duckdb/node-api";
import type { DdlRunner } from "../catalog/metastore.js";

/** A column of a result set: name and DuckDB type (mapped to Thrift types when sent). */
export interface ResultColumn {
  name: string;
  type: DuckDBType;
}

/** Column-major rows: `columns[c][r]`. */
export interface RowBatch {
  columns: DuckDBValue[][];
  rowCount: number;
}

/** A result being read in pieces; `fetch(n)` returns at most n rows and never reads far ahead. */
export interface Cursor {
  readonly columns: readonly ResultColumn[];
  /** Rows affected by DML (INSERT…), else undefined. */
  readonly rowsChanged?: number;
  fetch(maxRows: number): Promise<RowBatch>;
  readonly exhausted: boolean;
  close(): void;
}

/**
 * The embedded SQL engine: one in-memory DuckDB instance, one attached database per Unity
 * Catalog catalog. Each open cursor has its own DuckDB connection, because a streaming result
 * is invalidated when its connection runs another statement.
 */
export class DuckDbEngine implements DdlRunner {
  private closed = false;
  private readonly cursors = new Set<StreamingCursor>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly admin: DuckDBConnection,
  ) {}

  static async create(): Promise<DuckDbEngine> {
    // Databricks sessions default to UTC; DuckDB's naive TIMESTAMP is read as UTC throughout.
    const instance = await DuckDBInstance.create(":memory:", { threads: "2" });
    const admin = await instance.connect();
    return new DuckDbEngine(instance, admin);
  }

  async exec(sql: string): Promise<void> {
    await this.admin.run(sql);
  }

  /** Runs one statement on the admin connection and returns rows as objects (tests, seeding). */
  async query(sql: string, values?: Record<string, DuckDBValue>): Promise<Record<string, unknown>[]> {
    const reader = await this.admin.runAndReadAll(sql, values);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }

  /** The tables a statement references, qualified as DuckDB prints them (for grant checks). */
  async tableNames(sql: string): Promise<readonly string[]> {
    return this.admin.getTableNames(sql, true);
  }

  /** A connection whose default catalog/schema is the session's (for bulk loads, appenders). */
  async connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  async openCursor(
    sql: string,
    values: Record<string, string | null>,
    namespace: { catalog?: string; schema?: string },
  ): Promise<Cursor> {
    const connection = await this.instance.connect();
    try {
      if (namespace.catalog) {
        const target = namespace.schema
          ? `${quoteIdent(namespace.catalog)}.${quoteIdent(namespace.schema)}`
          : quoteIdent(namespace.catalog);
        await connection.run(`USE ${target}`);
      }
      const names = Object.keys(values);
      const result =
        names.length > 0
          ? await connection.stream(sql, values, Object.fromEntries(names.map((n) => [n, VARCHAR])))
          : await connection.stream(sql);
      const cursor = new StreamingCursor(connection, result, (c) => this.cursors.delete(c));
      this.cursors.add(cursor);
      return cursor;
    } catch (error) {
      connection.closeSync();
      throw error;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const cursor of [...this.cursors]) cursor.close();
    this.admin.closeSync();
    this.instance.closeSync();
  }
}

class StreamingCursor implements Cursor {
  readonly columns: readonly ResultColumn[];
  readonly rowsChanged?: number;
  private pending: RowBatch | undefined;
  private done = false;
  private closed = false;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly result: DuckDBResult,
    private readonly onClose: (cursor: StreamingCursor) => void,
  ) {
    this.columns = result.columnNames().map((name, i) => ({ name, type: result.columnType(i) }));
  }

  get exhausted(): boolean {
    return this.done && (this.pending?.rowCount ?? 0) === 0;
  }

  async fetch(maxRows: number): Promise<RowBatch> {
    const out: DuckDBValue[][] = this.columns.map(() => []);
    let count = 0;
    while (count < maxRows) {
      if (!this.pending || this.pending.rowCount === 0) {
        if (this.done || this.closed) break;
        const chunk = await this.result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) {
          this.done = true;
          break;
        }
        this.pending = { columns: chunk.getColumns(), rowCount: chunk.rowCount };
      }
      const take = Math.min(maxRows - count, this.pending.rowCount);
      this.pending.columns.forEach((col, c) => {
        const target = out[c] as DuckDBValue[];
        for (let r = 0; r < take; r++) target.push(col[r] as DuckDBValue);
      });
      this.pending = {
        columns: this.pending.columns.map((col) => col.slice(take)),
        rowCount: this.pending.rowCount - take,
      };
      count += take;
    }
    if (this.exhausted) this.close();
    return { columns: out, rowCount: count };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.done = true;
    this.pending = undefined;
    this.connection.closeSync();
    this.onClose(this);
  }
}

/** A fixed result (SHOW TABLES, DESCRIBE, DML counts) served through the same cursor interface. */
export class StaticCursor implements Cursor {
  private offset = 0;
  constructor(
    readonly columns: readonly ResultColumn[],
    private readonly rows: readonly DuckDBValue[][],
  ) {}
  get exhausted(): boolean {
    return this.offset >= this.rows.length;
  }
  async fetch(maxRows: number): Promise<RowBatch> {
    const slice = this.rows.slice(this.offset, this.offset + maxRows);
    this.offset += slice.length;
    return {
      columns: this.columns.map((_, c) => slice.map((row) => row[c] as DuckDBValue)),
      rowCount: slice.length,
    };
  }
  close(): void {
    this.offset = this.rows.length;
  }
}

export function quoteIdent(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

export { DuckDBTypeId };
