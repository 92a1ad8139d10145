import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { CheckpointStore } from "../contracts/checkpoint.js";
import { ConfigError } from "../errors/classified-errors.js";

/**
 * All keys in one JSON file, replaced atomically on every commit: write a temp file beside it, fsync
 * it, rename over the old one, fsync the directory (so the rename itself survives a power cut).
 * A crash leaves either the old or the new file, never a torn one.
 */
export class FileCheckpointStore implements CheckpointStore {
  private positions: Map<string, unknown> | undefined;
  /** Commits are serialised so an older write can never rename over a newer one. */
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  async load(key: string): Promise<unknown | undefined> {
    return (await this.read()).get(key);
  }

  async loadAll(): Promise<ReadonlyMap<string, unknown>> {
    return new Map(await this.read());
  }

  commit(key: string, position: unknown): Promise<void> {
    const next = this.chain.then(async () => {
      const positions = await this.read();
      positions.set(key, position);
      try {
        await this.writeAtomically(JSON.stringify(Object.fromEntries(positions), null, 2));
      } catch (error) {
        // The system error names the temp file; say which checkpoint file could not be written.
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

  async close(): Promise<void> {
    await this.chain;
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
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`Checkpoint file ${this.path} is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError(`Checkpoint file ${this.path} must hold a JSON object of key → position`);
    }
    this.positions = new Map(Object.entries(parsed));
    return this.positions;
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
