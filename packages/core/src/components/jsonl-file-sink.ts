import type { FileHandle } from "node:fs/promises";
import { mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { type Message, messageJson } from "../contracts/message.js";
import type { Sink } from "../contracts/sink.js";
import { FatalError } from "../errors/classified-errors.js";
import { defineComponent } from "../registry/component-definition.js";
import { resolvePath } from "./paths.js";

/**
 * What happens to a file that already exists. `append` (the default) keeps it and adds to it: the
 * safe choice for dead letters and for pipelines with checkpoints, whose re-runs write only what is
 * new. `overwrite` empties it when the sink opens, so the file holds exactly what this process
 * wrote (a re-run of a pipeline without checkpoints then does not double it).
 */
export type JsonlWriteMode = "append" | "overwrite";

/**
 * When written lines are forced to disk. `every_batch` (the default): a batch counts as delivered
 * only once it is durable, so a checkpoint never passes a line a crash could lose. `on_close`: once,
 * when the sink closes (a crash can lose lines already acknowledged). `never`: left to the OS.
 */
export type JsonlFsyncPolicy = "every_batch" | "on_close" | "never";

export interface JsonlFileSinkOptions {
  readonly path: string;
  /** Default "append". */
  readonly mode?: JsonlWriteMode;
  /** Default "every_batch"; `true`/`false` are the older spellings of every_batch/never. */
  readonly fsync?: JsonlFsyncPolicy | boolean;
}

/**
 * Writes each message's value as one JSON line (its pre-encoded text when it has one). In append
 * mode the file is opened on the first write, so a pipeline that never dead-letters leaves no empty
 * dead-letter file behind; overwrite mode empties it on open().
 */
export class JsonlFileSink implements Sink {
  readonly type = "jsonl_file";
  private file: Promise<FileHandle> | undefined;
  private readonly mode: JsonlWriteMode;
  private readonly fsync: JsonlFsyncPolicy;

  constructor(private readonly options: JsonlFileSinkOptions) {
    this.mode = options.mode ?? "append";
    const fsync = options.fsync ?? "every_batch";
    this.fsync = fsync === true ? "every_batch" : fsync === false ? "never" : fsync;
  }

  async open(): Promise<void> {
    if (this.mode === "overwrite") await this.handle();
  }

  async write(batch: readonly Message[]): Promise<void> {
    let text = "";
    // A pre-encoded value (e.g. an Akto record) goes out as the bytes it was sized by.
    for (const message of batch) text += `${messageJson(message)}\n`;
    const file = await this.handle();
    await file.appendFile(text);
    if (this.fsync === "every_batch") await file.sync();
  }

  classifyError(error: unknown): "fatal" | undefined {
    // A full disk or a missing permission will not fix itself within a retry window.
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    return code === "EACCES" || code === "EROFS" || code === "ENOSPC" || code === "EISDIR"
      ? "fatal"
      : undefined;
  }

  async close(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    if (!file) return;
    const handle = await file;
    try {
      if (this.fsync === "on_close") await handle.sync();
    } finally {
      await handle.close();
    }
  }

  private handle(): Promise<FileHandle> {
    this.file ??= (async () => {
      try {
        await mkdir(dirname(this.options.path), { recursive: true });
        if (this.mode === "overwrite") return await open(this.options.path, "w");
        const file = await open(this.options.path, "a+");
        // A process killed mid-append leaves a torn last line; start on a fresh line so the torn
        // record stays alone (one unreadable line) instead of swallowing the next good one.
        const { size } = await file.stat();
        if (size > 0) {
          const last = Buffer.alloc(1);
          await file.read(last, 0, 1, size - 1);
          if (last[0] !== 0x0a) await file.appendFile("\n");
        }
        return file;
      } catch (error) {
        this.file = undefined;
        throw new FatalError(`Cannot open ${this.options.path} for writing: ${(error as Error).message}`, {
          cause: error,
        });
      }
    })();
    return this.file;
  }
}

export const jsonlFileSinkComponent = defineComponent({
  kind: "sink",
  type: "jsonl_file",
  description:
    "Writes each message's value as a JSON line to a file: mode append (default) or overwrite (emptied when the pipeline starts); fsync every_batch (default), on_close or never.",
  configSchema: z.strictObject({
    path: z.string().min(1),
    mode: z.enum(["append", "overwrite"]).default("append"),
    // true/false are the older spellings; anything else must name a policy.
    fsync: z
      .preprocess(
        (f) => (f === true ? "every_batch" : f === false ? "never" : f),
        z.enum(["every_batch", "on_close", "never"]),
      )
      .default("every_batch"),
  }),
  create: (config, deps) => new JsonlFileSink({ ...config, path: resolvePath(deps.baseDir, config.path) }),
});
