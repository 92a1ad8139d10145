import { randomBytes } from "node:crypto";
import { type FileHandle, mkdir, open, readFile, rename, truncate, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { CheckpointStore } from "../contracts/checkpoint.js";
import { ConfigError } from "../errors/classified-errors.js";

/** First line of a checkpoint file in the log format. */
const HEADER = `${JSON.stringify({ pipekit: "checkpoints", v: 2 })}\n`;

export interface FileCheckpointStoreOptions {
  /**
   * The log is rewritten (compacted) once superseded lines outweigh live ones by this many bytes
   * (default 4 MiB): the file stays under about twice the live state plus this.
   */
  readonly compactSlackBytes?: number;
}

/**
 * All keys in one append-only file of JSON lines (`{"k":key,"v":value}`, `{"k":key,"d":1}` deletes),
 * the last line of a key winning. A commit appends only the keys it changes and fsyncs, so its cost
 * follows what changed, not the whole state (a table's window of delivered ids spans many keys of
 * which a commit touches one or two). When dead lines pile up the file is compacted: the live lines
 * are written to a temp file, fsynced, renamed over the log and the directory fsynced.
 * A crash mid-append leaves a torn last line: it is ignored on load and cut off before the next
 * append, so the file holds exactly the commits that completed. Files of the earlier format (one JSON
 * object) are read and rewritten in this one on the first commit.
 */
export class FileCheckpointStore implements CheckpointStore {
  private positions: Map<string, unknown> | undefined;
  /** Bytes of each key's live line, to know when compaction pays. */
  private readonly lineBytes = new Map<string, number>();
  private liveBytes = 0;
  private fileBytes = 0;
  /** Set when the file must be rewritten before appending (absent, old format). */
  private rewriteNext = true;
  /** Length of the valid prefix when the last line was torn (cut off before the next append). */
  private tornAt: number | undefined;
  private appendHandle: FileHandle | undefined;
  /** Commits are serialised so an older write can never land after a newer one. */
  private chain: Promise<void> = Promise.resolve();
  private readonly compactSlackBytes: number;

  constructor(
    readonly path: string,
    options: FileCheckpointStoreOptions = {},
  ) {
    this.compactSlackBytes = options.compactSlackBytes ?? 4 * 2 ** 20;
  }

  async load(key: string): Promise<unknown | undefined> {
    return (await this.read()).get(key);
  }

  async loadAll(): Promise<ReadonlyMap<string, unknown>> {
    return new Map(await this.read());
  }

  commit(key: string, position: unknown): Promise<void> {
    return this.commitMany(new Map([[key, position]]));
  }

  commitMany(entries: ReadonlyMap<string, unknown>): Promise<void> {
    const next = this.chain.then(async () => {
      const positions = await this.read();
      let appended = "";
      for (const [key, value] of entries) {
        const line = `${JSON.stringify(value === undefined ? { k: key, d: 1 } : { k: key, v: value })}\n`;
        appended += line;
        this.liveBytes -= this.lineBytes.get(key) ?? 0;
        if (value === undefined) {
          positions.delete(key);
          this.lineBytes.delete(key);
        } else {
          positions.set(key, value);
          const bytes = Buffer.byteLength(line);
          this.lineBytes.set(key, bytes);
          this.liveBytes += bytes;
        }
      }
      try {
        const appendBytes = Buffer.byteLength(appended);
        if (this.rewriteNext || this.fileBytes + appendBytes - this.liveBytes > this.compactSlackBytes) {
          await this.rewrite(positions);
        } else {
          await this.append(appended, appendBytes);
        }
      } catch (error) {
        // The system error names the temp file; say which checkpoint file could not be written.
        // What is in memory may now be ahead of the file: rewrite it whole on the next commit.
        this.rewriteNext = true;
        throw Object.assign(
          new Error(`Cannot write checkpoint file ${this.path}: ${(error as Error).message}`, {
            cause: error,
          }),
          { code: (error as NodeJS.ErrnoException).code },
        );
      }
    });
    // Keep the chain alive after a failure; the caller still sees this commit's error.
    this.chain = next.catch(() => {});
    return next;
  }

  /** Bytes the file holds now and bytes its live lines take (compaction keeps the first near the second). */
  get sizes(): { readonly fileBytes: number; readonly liveBytes: number } {
    return { fileBytes: this.fileBytes, liveBytes: this.liveBytes };
  }

  async close(): Promise<void> {
    await this.chain;
    await this.appendHandle?.close();
    this.appendHandle = undefined;
  }

  private async append(text: string, bytes: number): Promise<void> {
    if (this.tornAt !== undefined) {
      await truncate(this.path, this.tornAt);
      this.fileBytes = this.tornAt;
      this.tornAt = undefined;
    }
    this.appendHandle ??= await open(this.path, "a");
    await this.appendHandle.write(text);
    await this.appendHandle.datasync();
    this.fileBytes += bytes;
  }

  private async rewrite(positions: ReadonlyMap<string, unknown>): Promise<void> {
    const parts = [HEADER];
    this.lineBytes.clear();
    this.liveBytes = 0;
    for (const [key, value] of positions) {
      const line = `${JSON.stringify({ k: key, v: value })}\n`;
      parts.push(line);
      const bytes = Buffer.byteLength(line);
      this.lineBytes.set(key, bytes);
      this.liveBytes += bytes;
    }
    const content = parts.join("");
    await this.appendHandle?.close();
    this.appendHandle = undefined;
    await this.writeAtomically(content);
    this.fileBytes = Buffer.byteLength(content);
    this.tornAt = undefined;
    this.rewriteNext = false;
  }

  private async read(): Promise<Map<string, unknown>> {
    if (this.positions) return this.positions;
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        this.positions = new Map();
        return this.positions;
      }
      throw error;
    }
    this.positions = text.startsWith(HEADER) ? this.parseLog(text) : this.parseLegacy(text);
    return this.positions;
  }

  private parseLog(text: string): Map<string, unknown> {
    const positions = new Map<string, unknown>();
    let offset = HEADER.length;
    let lineNo = 1;
    while (offset < text.length) {
      const end = text.indexOf("\n", offset);
      lineNo++;
      if (end < 0) {
        // A commit cut short by a crash: it never completed, so it never counted.
        this.tornAt = Buffer.byteLength(text.slice(0, offset));
        break;
      }
      const line = text.slice(offset, end + 1);
      offset = end + 1;
      let record: { k?: unknown; v?: unknown; d?: unknown };
      try {
        record = JSON.parse(line) as typeof record;
      } catch (error) {
        throw new ConfigError(
          `Checkpoint file ${this.path} line ${lineNo} is not valid JSON (${(error as Error).message}); the file was changed by something other than a checkpoint commit`,
        );
      }
      if (typeof record.k !== "string") {
        throw new ConfigError(`Checkpoint file ${this.path} line ${lineNo} has no key ("k")`);
      }
      const bytes = Buffer.byteLength(line);
      this.liveBytes -= this.lineBytes.get(record.k) ?? 0;
      if (record.d) {
        positions.delete(record.k);
        this.lineBytes.delete(record.k);
      } else {
        positions.set(record.k, record.v);
        this.lineBytes.set(record.k, bytes);
        this.liveBytes += bytes;
      }
    }
    this.fileBytes = this.tornAt ?? Buffer.byteLength(text);
    this.rewriteNext = false;
    return positions;
  }

  /** The earlier format: one JSON object of key → position, replaced whole on every commit. */
  private parseLegacy(text: string): Map<string, unknown> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`Checkpoint file ${this.path} is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError(`Checkpoint file ${this.path} must hold a JSON object of key → position`);
    }
    this.rewriteNext = true;
    return new Map(Object.entries(parsed));
  }

  private async writeAtomically(content: string): Promise<void> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `.${basename(this.path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
    const file = await open(temp, "w");
    try {
      await file.writeFile(content);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await rename(temp, this.path);
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw error;
    }
    const dirHandle = await open(dir, "r");
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }
}
