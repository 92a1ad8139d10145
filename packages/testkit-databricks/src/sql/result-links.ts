import { randomBytes } from "node:crypto";

/** Where presigned result files are served; stands in for the cloud storage bucket. */
export const RESULT_FILES_PATH = "/results-storage/";

/** Counters tests use to prove links were issued, fetched without credentials, and expired. */
export interface ResultLinkStats {
  issued: number;
  downloaded: number;
  /** Links issued with an expiry already past (the `expired-result-links` fault). */
  issuedExpired: number;
  /** Downloads refused: expired, unknown, or sent with an Authorization header. */
  refused: number;
}

interface StoredFile {
  operationId: string;
  bytes: Buffer;
  expiresAt: number;
  downloaded: boolean;
}

export interface IssuedLink {
  url: string;
  /** Epoch milliseconds, as the Thrift `TSparkArrowResultLink.expiryTime` carries it. */
  expiresAt: number;
}

export interface LinkResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * The cloud-storage side of cloud fetch: result files behind presigned HTTPS links that expire.
 * As with S3/ADLS presigned URLs, the signature in the link is the only credential; a request that
 * also carries an Authorization header is refused (S3 answers 400 for two auth mechanisms), which
 * proves a client fetched it the way a real warehouse requires.
 */
export class ResultLinks {
  private readonly files = new Map<string, StoredFile>();
  /** Operations closed by the warehouse while their last files were still to be downloaded. */
  private readonly closing = new Set<string>();
  readonly stats: ResultLinkStats = { issued: 0, downloaded: 0, issuedExpired: 0, refused: 0 };

  constructor(
    private readonly baseUrl: () => string,
    readonly ttlMs: number,
  ) {}

  issue(operationId: string, bytes: Buffer, alreadyExpired: boolean): IssuedLink {
    this.purgeExpired();
    const token = randomBytes(18).toString("base64url");
    const expiresAt = alreadyExpired ? Date.now() - 1_000 : Date.now() + this.ttlMs;
    this.files.set(token, { operationId, bytes, expiresAt, downloaded: false });
    this.stats.issued++;
    if (alreadyExpired) this.stats.issuedExpired++;
    const expires = Math.max(0, Math.round((expiresAt - Date.now()) / 1000));
    const signature = randomBytes(16).toString("hex");
    return {
      url: `${this.baseUrl()}${RESULT_FILES_PATH}${token}?X-Amz-Expires=${expires}&X-Amz-Signature=${signature}`,
      expiresAt,
    };
  }

  /**
   * Frees the files of an operation that were downloaded already: called when the client asks for
   * more rows, so storage holds only what it has not read yet (bounded, however large the result).
   */
  releaseDownloaded(operationId: string): void {
    for (const [token, file] of this.files) {
      if (file.operationId === operationId && file.downloaded) this.files.delete(token);
    }
  }

  /** The operation is closed but its files are still to be read: each goes once downloaded. */
  closeAfterDownload(operationId: string): void {
    this.releaseDownloaded(operationId);
    if ([...this.files.values()].some((f) => f.operationId === operationId)) this.closing.add(operationId);
  }

  /** Files of a closed operation are gone (storage is cleaned when the statement is closed). */
  dropOperation(operationId: string): void {
    this.closing.delete(operationId);
    for (const [token, file] of this.files) if (file.operationId === operationId) this.files.delete(token);
  }

  serve(path: string, method: string, authorization: string | undefined): LinkResponse {
    const token = path.slice(RESULT_FILES_PATH.length);
    const file = this.files.get(token);
    if (method !== "GET") return this.refuse(405, "MethodNotAllowed", "Use GET.");
    if (authorization) {
      return this.refuse(
        400,
        "InvalidArgument",
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
      );
    }
    if (!file) return this.refuse(404, "NoSuchKey", "The specified key does not exist.");
    if (Date.now() >= file.expiresAt) return this.refuse(403, "AccessDenied", "Request has expired");
    this.stats.downloaded++;
    file.downloaded = true;
    if (this.closing.has(file.operationId)) {
      this.files.delete(token);
      if (![...this.files.values()].some((f) => f.operationId === file.operationId)) {
        this.closing.delete(file.operationId);
      }
    }
    return {
      status: 200,
      headers: { "Content-Type": "application/octet-stream", "Content-Length": String(file.bytes.length) },
      body: file.bytes,
    };
  }

  clear(): void {
    this.files.clear();
  }

  private refuse(status: number, code: string, message: string): LinkResponse {
    this.stats.refused++;
    const body = Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
    );
    return {
      status,
      headers: { "Content-Type": "application/xml", "Content-Length": String(body.length) },
      body,
    };
  }

  private purgeExpired(): void {
    const now = Date.now();
    for (const [token, file] of this.files) if (now >= file.expiresAt + 60_000) this.files.delete(token);
    const live = new Set([...this.files.values()].map((f) => f.operationId));
    for (const op of this.closing) if (!live.has(op)) this.closing.delete(op);
  }
}
