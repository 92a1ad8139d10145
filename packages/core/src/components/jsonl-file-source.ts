import { createReadStream } from "node:fs";
import { basename } from "node:path";
import { createInterface } from "node:readline";
import { z } from "zod";
import { createMessage, type Message } from "../contracts/message.js";
import type { Source, SourceChunk, SourceContext } from "../contracts/source.js";
import { defineComponent } from "../registry/component-definition.js";
import { resolvePath } from "./paths.js";

export interface JsonlFileSourceOptions {
  readonly path: string;
  readonly chunkSize?: number;
  /** Field of each object to use as the message id (default: "<file>:<line>"). */
  readonly idField?: string;
}

/**
 * Reads a JSON-lines file, one message per non-blank line, resuming after the last committed line.
 * A line that is not JSON is rejected (dead-lettered with file:line), not a crash.
 */
export class JsonlFileSource implements Source {
  readonly type = "jsonl_file";
  constructor(private readonly options: JsonlFileSourceOptions) {}

  async *read(ctx: SourceContext): AsyncGenerator<SourceChunk> {
    const { path, idField } = this.options;
    const chunkSize = this.options.chunkSize ?? 500;
    const name = basename(path);
    const committed = (await ctx.checkpoints.get(path)) as { line?: number } | undefined;
    const skip = committed?.line ?? 0;
    const stream = createReadStream(path, { encoding: "utf8" });
    const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
    let lineNo = 0;
    let messages: Message[] = [];
    let rejected: { message: Message; error: Error }[] = [];
    const chunk = (): SourceChunk => ({
      messages,
      ...(rejected.length > 0 ? { rejected } : {}),
      checkpoint: { key: path, position: { line: lineNo } },
    });
    try {
      for await (const line of lines) {
        lineNo++;
        if (lineNo <= skip || line.trim() === "") continue;
        const meta = { source: "jsonl_file", partition: path, line: lineNo };
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch (error) {
          rejected.push({
            message: createMessage(`${name}:${lineNo}`, line, meta),
            error: new Error(`Invalid JSON at ${path}:${lineNo}: ${(error as Error).message}`),
          });
          value = undefined;
        }
        if (value !== undefined) {
          const field =
            idField && typeof value === "object" && value !== null
              ? (value as Record<string, unknown>)[idField]
              : undefined;
          const id =
            typeof field === "string" || typeof field === "number" ? String(field) : `${name}:${lineNo}`;
          messages.push(createMessage(id, value, meta, Buffer.byteLength(line)));
        }
        if (messages.length + rejected.length >= chunkSize) {
          yield chunk();
          messages = [];
          rejected = [];
        }
        if (ctx.signal.aborted) return;
      }
      yield chunk();
    } finally {
      lines.close();
      stream.destroy();
    }
  }
}

export const jsonlFileSourceComponent = defineComponent({
  kind: "source",
  type: "jsonl_file",
  description: "Reads a JSON-lines file; resumes after the last committed line.",
  configSchema: z.strictObject({
    path: z.string().min(1),
    chunkSize: z.number().int().positive().default(500),
    idField: z.string().min(1).optional(),
  }),
  create: (config, deps) => new JsonlFileSource({ ...config, path: resolvePath(deps.baseDir, config.path) }),
});
