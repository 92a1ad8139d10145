import { compressFrameSync } from "lz4-napi";
import { type ArrowNativeTypes, ArrowResultEncoder } from "./arrow-encoding.js";
import { encodeColumns } from "./column-encoding.js";
import type { Cursor, ResultColumn, RowBatch } from "./duckdb-engine.js";
import type { ResultLinks } from "./result-links.js";
import { TSparkRowSetType } from "./thrift-codegen.js";
import type { Operation, WarehouseStats } from "./warehouse.js";

/**
 * How the warehouse sends results. `auto` does what a Databricks warehouse does for what the
 * client asked: Arrow when it can read Arrow (LZ4-compressed when it can decompress it), presigned
 * links (cloud fetch) when it can download them and the result is large; column-based otherwise.
 * The other values force one encoding (Arrow encodings still fall back to columns for a client
 * that cannot read Arrow; `arrow-lz4` compresses whether or not LZ4 was offered).
 */
export type ResultFormatOption = "auto" | "columns" | "arrow" | "arrow-lz4" | "cloud-fetch";
export const RESULT_FORMATS: readonly ResultFormatOption[] = [
  "auto",
  "columns",
  "arrow",
  "arrow-lz4",
  "cloud-fetch",
];

/** What a TExecuteStatementReq says the client can take. */
export interface ClientCapabilities {
  arrow: boolean;
  lz4: boolean;
  download: boolean;
  native: ArrowNativeTypes;
}

export interface ExecuteCapabilitiesReq {
  canReadArrowResult?: boolean | null;
  canDecompressLZ4Result?: boolean | null;
  canDownloadResult?: boolean | null;
  useArrowNativeTypes?: {
    timestampAsArrow?: boolean | null;
    decimalAsArrow?: boolean | null;
    complexTypesAsArrow?: boolean | null;
  } | null;
}

export function capabilitiesOf(req: ExecuteCapabilitiesReq): ClientCapabilities {
  const native = req.useArrowNativeTypes;
  return {
    arrow: req.canReadArrowResult === true,
    lz4: req.canDecompressLZ4Result === true,
    download: req.canDownloadResult === true,
    native: {
      timestamp: native?.timestampAsArrow === true,
      decimal: native?.decimalAsArrow === true,
      complex: native?.complexTypesAsArrow === true,
    },
  };
}

/** The encoding one operation's results travel in; `sized` until auto has seen the result's size. */
export type ResultEncoding =
  | { kind: "columns" }
  | { kind: "arrow" | "links"; lz4: boolean; native: ArrowNativeTypes; encoder?: ArrowResultEncoder }
  | { kind: "sized"; capabilities: ClientCapabilities };

export interface ResultDeliveryOptions {
  format: ResultFormatOption;
  links: ResultLinks;
  /** Auto switches to cloud fetch when the result is at least this large (estimated). */
  cloudFetchThresholdBytes: number;
  /** Target size of one result file behind a link (estimated, before compression). */
  cloudFetchFileBytes: number;
  /** True when the next link must be issued already expired (a fault). */
  takeExpiredLink: () => boolean;
  /** Where settled encodings are counted (the warehouse's stats). */
  stats: WarehouseStats["resultEncodings"];
}

/** Chooses, sizes and encodes statement results as a warehouse does (see ResultFormatOption). */
export class ResultDelivery {
  private readonly settled = new WeakSet<Operation>();

  constructor(private readonly options: ResultDeliveryOptions) {}

  get links(): ResultLinks {
    return this.options.links;
  }

  /** The encoding an ExecuteStatement asked for (metadata operations always get columns). */
  encodingFor(req: ExecuteCapabilitiesReq): ResultEncoding {
    const capabilities = capabilitiesOf(req);
    const { format } = this.options;
    const { native } = capabilities;
    if (format === "columns" || !capabilities.arrow) return { kind: "columns" };
    if (format === "auto") {
      return capabilities.download
        ? { kind: "sized", capabilities }
        : { kind: "arrow", lz4: capabilities.lz4, native };
    }
    if (format === "arrow") return { kind: "arrow", lz4: false, native };
    if (format === "arrow-lz4") return { kind: "arrow", lz4: true, native };
    return { kind: "links", lz4: capabilities.lz4, native };
  }

  /**
   * Fixes the encoding before the first metadata or rows go out. Auto with a download-capable
   * client reads ahead up to the threshold (bounded memory) to see whether the result is large,
   * then hands those rows back to the cursor.
   */
  async settle(op: Operation): Promise<void> {
    if (this.settled.has(op)) return;
    this.settled.add(op);
    let encoding = op.encoding ?? { kind: "columns" };
    if (op.columns.length === 0) encoding = { kind: "columns" };
    if (encoding.kind === "sized") {
      const { capabilities } = encoding;
      encoding = {
        kind: (await this.isLarge(op)) ? "links" : "arrow",
        lz4: capabilities.lz4,
        native: capabilities.native,
      };
    }
    if (encoding.kind !== "columns" && !encoding.encoder) {
      encoding.encoder = new ArrowResultEncoder(op.columns, encoding.native);
    }
    op.encoding = encoding;
    const counted =
      encoding.kind === "columns" ? "columns" : (`${encoding.kind}${encoding.lz4 ? "-lz4" : ""}` as const);
    this.options.stats[counted]++;
  }

  /** The TGetResultSetMetadataResp fields that describe the encoding. */
  metadataFields(op: Operation): object {
    const encoding = op.encoding;
    if (encoding?.kind !== "arrow" && encoding?.kind !== "links") {
      return { resultFormat: TSparkRowSetType.COLUMN_BASED_SET, lz4Compressed: false };
    }
    if (!encoding.encoder) throw new Error(`operation ${op.id}: result encoding not settled`);
    return {
      resultFormat:
        encoding.kind === "links" ? TSparkRowSetType.URL_BASED_SET : TSparkRowSetType.ARROW_BASED_SET,
      lz4Compressed: encoding.lz4,
      arrowSchema: encoding.encoder.schemaBytes,
    };
  }

  /** The TRowSet of one fetched batch in the operation's encoding. */
  rowSet(op: Operation, batch: RowBatch, offset: number): object {
    const encoding = op.encoding;
    if ((encoding?.kind !== "arrow" && encoding?.kind !== "links") || !encoding.encoder) {
      return { startRowOffset: offset, rows: [], columns: encodeColumns(op.columns, batch) };
    }
    const { encoder } = encoding;
    if (encoding.kind === "arrow") {
      const arrowBatches =
        batch.rowCount === 0
          ? []
          : [{ batch: compress(encoder.batchMessages(batch), encoding.lz4), rowCount: batch.rowCount }];
      return { startRowOffset: offset, rows: [], arrowBatches };
    }
    this.options.links.releaseDownloaded(op.id);
    const resultLinks = [];
    let start = offset;
    for (const file of split(batch, this.options.cloudFetchFileBytes)) {
      const raw = encoder.stream(file);
      const link = this.options.links.issue(
        op.id,
        compress(raw, encoding.lz4),
        this.options.takeExpiredLink(),
      );
      resultLinks.push({
        fileLink: link.url,
        expiryTime: link.expiresAt,
        startRowOffset: start,
        rowCount: file.rowCount,
        bytesNum: raw.length,
        httpHeaders: {},
      });
      start += file.rowCount;
    }
    return { startRowOffset: offset, rows: [], resultLinks };
  }

  private async isLarge(op: Operation): Promise<boolean> {
    const cursor = op.cursor;
    if (!cursor) return false;
    const threshold = this.options.cloudFetchThresholdBytes;
    const peeked: RowBatch[] = [];
    let bytes = 0;
    while (bytes < threshold && !cursor.exhausted) {
      const batch = await cursor.fetch(2_048);
      if (batch.rowCount === 0) break;
      peeked.push(batch);
      bytes += estimateBytes(batch);
    }
    op.cursor = new PeekedCursor(cursor, peeked);
    return bytes >= threshold;
  }
}

function compress(bytes: Buffer, lz4: boolean): Buffer {
  return lz4 ? compressFrameSync(bytes) : bytes;
}

/** Rough wire size of a batch: text lengths plus eight bytes a scalar. */
function estimateBytes(batch: RowBatch): number {
  let bytes = 0;
  for (const column of batch.columns) {
    for (const v of column) bytes += typeof v === "string" ? v.length : 8;
  }
  return bytes;
}

/** Splits a batch into files of about `fileBytes` each (at least one row a file). */
function* split(batch: RowBatch, fileBytes: number): Generator<RowBatch> {
  let start = 0;
  while (start < batch.rowCount) {
    let end = start;
    let bytes = 0;
    while (end < batch.rowCount && (end === start || bytes < fileBytes)) {
      for (const column of batch.columns) {
        const v = column[end];
        bytes += typeof v === "string" ? v.length : 8;
      }
      end++;
    }
    yield { columns: batch.columns.map((c) => c.slice(start, end)), rowCount: end - start };
    start = end;
  }
}

/** A cursor that first serves rows already read ahead, then the rest of the underlying result. */
class PeekedCursor implements Cursor {
  private pending: RowBatch | undefined;

  constructor(
    private readonly inner: Cursor,
    batches: RowBatch[],
  ) {
    this.pending = batches.length > 0 ? concat(inner.columns, batches) : undefined;
  }

  get columns(): readonly ResultColumn[] {
    return this.inner.columns;
  }

  get exhausted(): boolean {
    return (this.pending?.rowCount ?? 0) === 0 && this.inner.exhausted;
  }

  async fetch(maxRows: number): Promise<RowBatch> {
    const pending = this.pending;
    if (!pending || pending.rowCount === 0) return this.inner.fetch(maxRows);
    const take = Math.min(maxRows, pending.rowCount);
    const out = { columns: pending.columns.map((c) => c.slice(0, take)), rowCount: take };
    this.pending = { columns: pending.columns.map((c) => c.slice(take)), rowCount: pending.rowCount - take };
    return out;
  }

  close(): void {
    this.pending = undefined;
    this.inner.close();
  }
}

function concat(columns: readonly ResultColumn[], batches: RowBatch[]): RowBatch {
  return {
    columns: columns.map((_, c) => batches.flatMap((b) => b.columns[c] ?? [])),
    rowCount: batches.reduce((n, b) => n + b.rowCount, 0),
  };
}
