import type { FileHandle } from "node:fs/promises";
import { mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { type Message, messageJson } from "../contracts/message.js";
import type { Sink } from "../contracts/sink.js";
import { FatalError } from "../errors/classified-errors.js";
import { defineComponent } from "../registry/component-definition.js";
import { resolvePath } from "./paths.js";

export interface JsonlFileSinkOptions {
  readonly path: string;
  /** fsync after each batch so "written" means durable (default true). */
  readonly fsync?: boolean;
}

/**
 * Appends each message's value as one JSON line (its pre-encoded text when it has one). The file is opened on the first write, so a
 * pipeline that never dead-letters leaves no empty dead-letter file behind.
 */
export class JsonlFileSink implements Sink {
  readonly type = "jsonl_file";
  private file: Promise<FileHandle> | undefined;

  constructor(private readonly options: JsonlFileSinkOptions) {}

  async write(batch: readonly Message[]): Promise<void> {
    let text = "";
    // A pre-encoded value (e.g. an Akto record) goes out as the bytes it was sized by.
    for (const message of batch) text += `${messageJson(message)}\n`;
    const file = await this.handle();
    await file.appendFile(text);
    if (this.options.fsync ?? true) await file.sync();
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
    if (file) await (await file).close();
  }

  private handle(): Promise<FileHandle> {
    this.file ??= (async () => {
      try {
        await mkdir(dirname(this.options.path), { recursive: true });
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
  description: "Appends each message's value as a JSON line to a file (fsync per batch).",
  configSchema: z.strictObject({ path: z.string().min(1), fsync: z.boolean().default(true) }),
  create: (config, deps) => new JsonlFileSink({ ...config, path: resolvePath(deps.baseDir, config.path) }),
});
