import { BIGINT, type DuckDBType, type DuckDBValue, INTEGER, VARCHAR } from "@duckdb/node-api";
import { sparkTypeName, tableSchema } from "./column-encoding.js";
import type { ResultColumn } from "./duckdb-engine.js";
import type { ExecuteCapabilitiesReq, ResultDelivery } from "./result-delivery.js";
import {
  SERVER_PROTOCOL_VERSION,
  struct,
  TCLIServiceProcessor,
  TFetchOrientation,
  TOperationState,
  TOperationType,
  TStatusCode,
  thrift,
} from "./thrift-codegen.js";
import type { SqlParameter } from "./translate.js";
import type { Operation, Session, SqlWarehouse } from "./warehouse.js";

interface HandleIdentifier {
  guid: Buffer;
  secret: Buffer;
}
interface SessionReq {
  sessionHandle?: { sessionId?: HandleIdentifier };
}
interface OperationReq {
  operationHandle?: { operationId?: HandleIdentifier; operationType?: number };
}
interface Int64Like {
  valueOf(): number;
}
interface DirectResultsReq {
  getDirectResults?: { maxRows?: Int64Like };
}
interface OpenSessionReq {
  initialNamespace?: { catalogName?: string | null; schemaName?: string | null };
}
interface ExecuteReq extends SessionReq, DirectResultsReq, ExecuteCapabilitiesReq {
  statement: string;
  parameters?: { name?: string; type?: string; value?: { stringValue?: string } }[] | null;
}
interface FetchReq extends OperationReq {
  orientation?: number;
  maxRows?: Int64Like;
  fetchType?: number;
  /** The Python connector asks for the metadata with every fetch (and reads its resultFormat). */
  includeResultSetMetadata?: boolean | null;
}
interface MetadataReq extends SessionReq, DirectResultsReq {
  catalogName?: string | null;
  schemaName?: string | null;
  tableName?: string | null;
  columnName?: string | null;
  tableTypes?: string[] | null;
}

/** What the Thrift layer needs from its host: who is calling (already authenticated). */
export interface ThriftCallContext {
  principal: string;
  /** How statement results are encoded (columns, Arrow, LZ4, cloud-fetch links). */
  delivery: ResultDelivery;
}

/**
 * Implements TCLIService over the SQL warehouse. One handler instance serves one HTTP request
 * (the principal comes from that request's token); the generated Processor decodes the call and
 * encodes the reply with the driver's own Thrift code.
 */
class TCLIServiceHandler {
  constructor(
    private readonly warehouse: SqlWarehouse,
    private readonly ctx: ThriftCallContext,
  ) {}

  async OpenSession(req: OpenSessionReq) {
    const session = this.warehouse.openSession(
      this.ctx.principal,
      req.initialNamespace?.catalogName ?? undefined,
      req.initialNamespace?.schemaName ?? undefined,
    );
    return struct("TOpenSessionResp", {
      status: ok(),
      serverProtocolVersion: SERVER_PROTOCOL_VERSION,
      sessionHandle: { sessionId: handleId(session.id) },
      configuration: {},
      initialNamespace: { catalogName: session.catalog, schemaName: session.schema },
      canUseMultipleCatalogs: true,
    });
  }

  async CloseSession(req: SessionReq) {
    const id = sessionId(req);
    for (const op of this.warehouse.getSession(id)?.operations ?? [])
      this.ctx.delivery.links.dropOperation(op);
    const closed = this.warehouse.closeSession(id);
    return struct("TCloseSessionResp", { status: closed ? ok() : invalidSession(id) });
  }

  async GetInfo(req: SessionReq & { infoType?: number }) {
    const session = this.session(req);
    if (!session) return struct("TGetInfoResp", { status: invalidSession(sessionId(req)), infoValue: {} });
    const values: Record<number, string> = { 13: "Spark SQL", 17: "Spark SQL", 18: "3.5.0" };
    return struct("TGetInfoResp", {
      status: ok(),
      infoValue: { stringValue: values[req.infoType ?? 0] ?? "" },
    });
  }

  async ExecuteStatement(req: ExecuteReq) {
    const session = this.session(req);
    if (!session) return struct("TExecuteStatementResp", { status: invalidSession(sessionId(req)) });
    const parameters: SqlParameter[] = (req.parameters ?? []).map((p) => ({
      name: p.name ?? "",
      ...(p.type ? { type: p.type } : {}),
      ...(p.value?.stringValue !== undefined && p.value.stringValue !== null
        ? { value: p.value.stringValue }
        : {}),
    }));
    const op = await this.warehouse.execute(session, req.statement, parameters);
    op.encoding = this.ctx.delivery.encodingFor(req);
    return struct("TExecuteStatementResp", {
      status: ok(),
      operationHandle: operationHandle(op, TOperationType.EXECUTE_STATEMENT),
      ...(await this.directResults(op, req)),
    });
  }

  async GetOperationStatus(req: OperationReq) {
    const op = this.operation(req);
    if (!op) return struct("TGetOperationStatusResp", { status: invalidOperation(operationId(req)) });
    return struct("TGetOperationStatusResp", operationStatus(op));
  }

  async GetResultSetMetadata(req: OperationReq) {
    const op = this.operation(req);
    if (!op) return struct("TGetResultSetMetadataResp", { status: invalidOperation(operationId(req)) });
    return struct("TGetResultSetMetadataResp", await this.resultSetMetadata(op));
  }

  async FetchResults(req: FetchReq) {
    const op = this.operation(req);
    if (!op) return struct("TFetchResultsResp", { status: invalidOperation(operationId(req)) });
    if (req.fetchType === 1) {
      // Operation logs: Databricks returns none.
      return struct("TFetchResultsResp", {
        status: ok(),
        hasMoreRows: false,
        results: { startRowOffset: 0, rows: [], columns: [] },
      });
    }
    if (op.state !== "FINISHED") {
      return struct("TFetchResultsResp", {
        status: error(`Operation ${op.id} is in state ${op.state}; results are not available.`, "HY010"),
      });
    }
    const response = await this.fetchResponse(
      op,
      Number(req.maxRows ?? 10_000),
      req.orientation === TFetchOrientation.FETCH_FIRST,
    );
    const metadata = req.includeResultSetMetadata
      ? { resultSetMetadata: await this.resultSetMetadata(op) }
      : {};
    return struct("TFetchResultsResp", { ...response, ...metadata });
  }

  async CloseOperation(req: OperationReq) {
    const id = operationId(req);
    // The client has read the result: its files leave storage (links are per statement).
    this.ctx.delivery.links.dropOperation(id);
    const closed = this.warehouse.closeOperation(id);
    return struct("TCloseOperationResp", { status: closed ? ok() : invalidOperation(id) });
  }

  async CancelOperation(req: OperationReq) {
    const id = operationId(req);
    const cancelled = this.warehouse.cancelOperation(id);
    return struct("TCancelOperationResp", { status: cancelled ? ok() : invalidOperation(id) });
  }

  async GetCatalogs(req: MetadataReq) {
    return this.metadata(req, "TGetCatalogsResp", TOperationType.GET_CATALOGS, (session) => ({
      columns: cols(["TABLE_CAT", VARCHAR]),
      rows: this.warehouse.visibleCatalogs(session.principal).map((c) => [c]),
    }));
  }

  async GetSchemas(req: MetadataReq) {
    return this.metadata(req, "TGetSchemasResp", TOperationType.GET_SCHEMAS, (session) => {
      const rows: DuckDBValue[][] = [];
      for (const catalog of this.warehouse.visibleCatalogs(session.principal)) {
        if (!like(catalog, req.catalogName)) continue;
        for (const schema of this.warehouse.visibleSchemas(session.principal, catalog)) {
          if (like(schema, req.schemaName)) rows.push([schema, catalog]);
        }
      }
      return { columns: cols(["TABLE_SCHEM", VARCHAR], ["TABLE_CATALOG", VARCHAR]), rows };
    });
  }

  async GetTables(req: MetadataReq) {
    return this.metadata(req, "TGetTablesResp", TOperationType.GET_TABLES, (session) => ({
      columns: cols(
        ["TABLE_CAT", VARCHAR],
        ["TABLE_SCHEM", VARCHAR],
        ["TABLE_NAME", VARCHAR],
        ["TABLE_TYPE", VARCHAR],
        ["REMARKS", VARCHAR],
      ),
      rows: this.tables(session, req).map((t) => [
        t.catalog_name,
        t.schema_name,
        t.name,
        t.table_type === "VIEW" ? "VIEW" : "TABLE",
        t.comment ?? "",
      ]),
    }));
  }

  async GetColumns(req: MetadataReq) {
    return this.metadata(req, "TGetColumnsResp", TOperationType.GET_COLUMNS, (session) => {
      const rows: DuckDBValue[][] = [];
      for (const t of this.tables(session, req)) {
        for (const c of t.columns) {
          if (!like(c.name, req.columnName)) continue;
          rows.push([
            t.catalog_name,
            t.schema_name,
            t.name,
            c.name,
            c.type_text.toUpperCase(),
            c.position + 1,
          ]);
        }
      }
      return {
        columns: cols(
          ["TABLE_CAT", VARCHAR],
          ["TABLE_SCHEM", VARCHAR],
          ["TABLE_NAME", VARCHAR],
          ["COLUMN_NAME", VARCHAR],
          ["TYPE_NAME", VARCHAR],
          ["ORDINAL_POSITION", INTEGER],
        ),
        rows,
      };
    });
  }

  async GetTableTypes(req: MetadataReq) {
    return this.metadata(req, "TGetTableTypesResp", TOperationType.GET_TABLE_TYPES, () => ({
      columns: cols(["TABLE_TYPE", VARCHAR]),
      rows: [["TABLE"], ["VIEW"]],
    }));
  }

  async GetTypeInfo(req: MetadataReq) {
    return this.metadata(req, "TGetTypeInfoResp", TOperationType.GET_TYPE_INFO, () => ({
      columns: cols(["TYPE_NAME", VARCHAR], ["DATA_TYPE", INTEGER]),
      rows: [VARCHAR, INTEGER, BIGINT].map((t) => [sparkTypeName(t), 0]),
    }));
  }

  async GetFunctions(req: MetadataReq) {
    return this.metadata(req, "TGetFunctionsResp", TOperationType.GET_FUNCTIONS, () => ({
      columns: cols(["FUNCTION_CAT", VARCHAR], ["FUNCTION_SCHEM", VARCHAR], ["FUNCTION_NAME", VARCHAR]),
      rows: [],
    }));
  }

  async GetPrimaryKeys(req: MetadataReq) {
    return this.metadata(req, "TGetPrimaryKeysResp", TOperationType.UNKNOWN, () => ({
      columns: cols(
        ["TABLE_CAT", VARCHAR],
        ["TABLE_SCHEM", VARCHAR],
        ["TABLE_NAME", VARCHAR],
        ["COLUMN_NAME", VARCHAR],
      ),
      rows: [],
    }));
  }

  async GetCrossReference(req: MetadataReq) {
    return this.metadata(req, "TGetCrossReferenceResp", TOperationType.UNKNOWN, () => ({
      columns: cols(["PKTABLE_CAT", VARCHAR], ["FKTABLE_CAT", VARCHAR]),
      rows: [],
    }));
  }

  async GetDelegationToken() {
    return struct("TGetDelegationTokenResp", {
      status: error("Delegation tokens are not supported.", "0A000"),
    });
  }
  async CancelDelegationToken() {
    return struct("TCancelDelegationTokenResp", {
      status: error("Delegation tokens are not supported.", "0A000"),
    });
  }
  async RenewDelegationToken() {
    return struct("TRenewDelegationTokenResp", {
      status: error("Delegation tokens are not supported.", "0A000"),
    });
  }

  private tables(session: Session, req: MetadataReq) {
    const out = [];
    for (const catalog of this.warehouse.visibleCatalogs(session.principal)) {
      if (!like(catalog, req.catalogName)) continue;
      for (const schema of this.warehouse.visibleSchemas(session.principal, catalog)) {
        if (!like(schema, req.schemaName)) continue;
        for (const t of this.warehouse.visibleTables(session.principal, catalog, schema)) {
          if (like(t.name, req.tableName)) out.push(t);
        }
      }
    }
    return out;
  }

  private async metadata(
    req: MetadataReq,
    responseType: string,
    operationType: number,
    build: (session: Session) => { columns: ResultColumn[]; rows: DuckDBValue[][] },
  ) {
    const session = this.session(req);
    if (!session) return struct(responseType, { status: invalidSession(sessionId(req)) });
    const { columns, rows } = build(session);
    const op = this.warehouse.staticOperation(session, columns, rows);
    return struct(responseType, {
      status: ok(),
      operationHandle: operationHandle(op, operationType),
      ...(await this.directResults(op, req)),
    });
  }

  /**
   * Databricks answers ExecuteStatement with "direct results" (status, metadata and a first
   * batch of at most getDirectResults.maxRows rows) when the statement finished in time; if that
   * batch is the whole result, it closes the operation too.
   */
  private async directResults(op: Operation, req: DirectResultsReq) {
    if (!req.getDirectResults || Date.now() < op.readyAt) return {};
    if (op.state !== "FINISHED") {
      return { directResults: { operationStatus: operationStatus(op) } };
    }
    const maxRows = Number(req.getDirectResults.maxRows ?? 100_000);
    const status = operationStatus(op);
    const metadata = await this.resultSetMetadata(op);
    const resultSet = await this.fetchResponse(op, maxRows, false);
    const complete = !resultSet.hasMoreRows;
    if (complete) {
      this.warehouse.closeOperation(op.id);
      // The client still downloads the links of this last batch; each file goes once it has.
      this.ctx.delivery.links.closeAfterDownload(op.id);
    }
    return {
      directResults: {
        operationStatus: status,
        resultSetMetadata: metadata,
        resultSet,
        ...(complete ? { closeOperation: { status: ok() } } : {}),
      },
    };
  }

  private async fetchResponse(op: Operation, maxRows: number, fromStart: boolean) {
    await this.ctx.delivery.settle(op);
    const { batch, offset, hasMoreRows } = await this.warehouse.fetch(op, maxRows, fromStart);
    return { status: ok(), hasMoreRows, results: this.ctx.delivery.rowSet(op, batch, offset) };
  }

  private async resultSetMetadata(op: Operation) {
    await this.ctx.delivery.settle(op);
    return {
      status: ok(),
      schema: tableSchema(op.columns),
      ...this.ctx.delivery.metadataFields(op),
    };
  }

  private session(req: SessionReq): Session | undefined {
    const session = this.warehouse.getSession(sessionId(req));
    return session && session.principal === this.ctx.principal ? session : undefined;
  }

  private operation(req: OperationReq): Operation | undefined {
    const op = this.warehouse.getOperation(operationId(req));
    return op && op.session.principal === this.ctx.principal ? op : undefined;
  }
}

/** Decodes one Thrift HTTP body, runs the call, and resolves with the encoded reply. */
export function processThriftRequest(
  warehouse: SqlWarehouse,
  ctx: ThriftCallContext,
  body: Buffer,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const processor = new TCLIServiceProcessor(new TCLIServiceHandler(warehouse, ctx));
    const output = new thrift.TBinaryProtocol(new thrift.TBufferedTransport(undefined, resolve));
    try {
      thrift.TBufferedTransport.receiver((transport) => {
        processor.process(new thrift.TBinaryProtocol(transport), output);
      })(body);
    } catch (error) {
      reject(error);
    }
  });
}

function operationStatus(op: Operation) {
  if (Date.now() < op.readyAt && (op.state === "FINISHED" || op.state === "ERROR")) {
    return { status: ok(), operationState: TOperationState.RUNNING, hasResultSet: true };
  }
  if (op.state === "ERROR" && op.error) {
    return {
      status: ok(),
      operationState: TOperationState.ERROR,
      sqlState: op.error.sqlState,
      errorCode: 0,
      errorMessage: op.error.message,
      displayMessage: op.error.message,
      // No hasResultSet here: the driver would then skip waiting and return no rows, no error.
    };
  }
  const state =
    op.state === "CANCELED"
      ? TOperationState.CANCELED
      : op.state === "CLOSED"
        ? TOperationState.CLOSED
        : TOperationState.FINISHED;
  return {
    status: ok(),
    operationState: state,
    hasResultSet: op.columns.length > 0,
    ...(op.numModifiedRows !== undefined ? { numModifiedRows: op.numModifiedRows } : {}),
  };
}

function operationHandle(op: Operation, operationType: number) {
  return { operationId: handleId(op.id), operationType, hasResultSet: true };
}

function handleId(uuid: string): HandleIdentifier {
  const guid = Buffer.from(uuid.replace(/-/g, ""), "hex");
  return { guid, secret: guid };
}

function uuidOf(id: HandleIdentifier | undefined): string {
  const hex = id?.guid ? Buffer.from(id.guid).toString("hex") : "";
  return hex.length === 32
    ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
    : hex;
}

function sessionId(req: SessionReq): string {
  return uuidOf(req.sessionHandle?.sessionId);
}

function operationId(req: OperationReq): string {
  return uuidOf(req.operationHandle?.operationId);
}

function ok() {
  return { statusCode: TStatusCode.SUCCESS };
}

function error(message: string, sqlState: string) {
  return { statusCode: TStatusCode.ERROR, errorMessage: message, sqlState, displayMessage: message };
}

function invalidSession(id: string) {
  return {
    statusCode: TStatusCode.INVALID_HANDLE,
    errorMessage: `Invalid SessionHandle: SessionHandle [${id}]`,
    sqlState: "HY000",
  };
}

function invalidOperation(id: string) {
  return {
    statusCode: TStatusCode.INVALID_HANDLE,
    errorMessage: `Invalid OperationHandle: OperationHandle [opType=EXECUTE_STATEMENT, getHandleIdentifier()=${id}]`,
    sqlState: "HY000",
  };
}

function cols(...defs: [string, DuckDBType][]): ResultColumn[] {
  return defs.map(([name, type]) => ({ name, type }));
}

/** JDBC-style pattern match (`%`, `_`); an empty or missing pattern matches everything. */
function like(value: string, pattern: string | null | undefined): boolean {
  if (!pattern || pattern === "*" || pattern === "%") return true;
  const regex = pattern
    .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
    .replace(/%|\*/g, ".*")
    .replace(/_/g, ".");
  return new RegExp(`^${regex}$`, "i").test(value);
}
