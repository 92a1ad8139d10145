import { z } from "zod";
import type { Message } from "../contracts/message.js";
import type { Source, SourceChunk, SourceContext } from "../contracts/source.js";
import { defineComponent } from "../registry/component-definition.js";
import { seededRandom } from "../testing/seeded-random.js";

export interface GenerateSourceOptions {
  /** Messages per pass. */
  readonly count: number;
  /** Length of each message's `data` string (ASCII, so also bytes). */
  readonly size?: number;
  readonly chunkSize?: number;
  /** Seeds the pseudo-random payload, so runs are reproducible. */
  readonly seed?: number;
  /** Checkpoint key; each pass resumes after the last committed message (default "generate"). */
  readonly checkpointKey?: string;
  /**
   * Give each message its own payload string. By default payloads are slices sharing one buffer
   * (cheap to make); set this when measuring memory, so `size` bytes are really held per message.
   */
  readonly unique?: boolean;
}

export interface GeneratedValue {
  readonly seq: number;
  readonly data: string;
}

/**
 * Synthetic messages `{ seq, data }` with ids "gen-<seq>". Payloads are windows into one seeded
 * random string, so producing a million of them costs little beyond the envelopes.
 */
export class GenerateSource implements Source<GeneratedValue> {
  readonly type = "generate";
  private readonly pool: string;
  private readonly size: number;
  private readonly chunkSize: number;
  private readonly key: string;

  constructor(private readonly options: GenerateSourceOptions) {
    this.size = options.size ?? 64;
    this.chunkSize = options.chunkSize ?? 100;
    this.key = options.checkpointKey ?? "generate";
    const random = seededRandom(options.seed ?? 1);
    const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let pool = "";
    for (let i = 0; i < this.size * 2 + 1; i++) pool += alphabet[Math.floor(random() * alphabet.length)];
    this.pool = pool;
  }

  async *read(ctx: SourceContext): AsyncGenerator<SourceChunk<GeneratedValue>> {
    const committed = (await ctx.checkpoints.get(this.key)) as { next?: number } | undefined;
    let seq = committed?.next ?? 0;
    const end = seq + this.options.count;
    while (seq < end && !ctx.signal.aborted) {
      const n = Math.min(this.chunkSize, end - seq);
      const messages: Message<GeneratedValue>[] = new Array(n);
      for (let i = 0; i < n; i++, seq++) messages[i] = this.message(seq);
      yield { messages, checkpoint: { key: this.key, position: { next: seq } } };
    }
  }

  private message(seq: number): Message<GeneratedValue> {
    const offset = (seq * 7919) % (this.size + 1);
    const slice = this.pool.slice(offset, offset + this.size);
    const data = this.options.unique ? Buffer.from(slice, "latin1").toString("latin1") : slice;
    // Frozen like createMessage's, but sized without serialising: {"seq":N,"data":"…"}.
    return Object.freeze({
      id: `gen-${seq}`,
      value: Object.freeze({ seq, data }),
      meta: GENERATE_META,
      sizeBytes: 18 + String(seq).length + this.size,
    });
  }
}

const GENERATE_META = Object.freeze({ source: "generate" });

export const generateSourceComponent = defineComponent({
  kind: "source",
  type: "generate",
  description: "Synthetic messages {seq, data} for tests and benchmarks; resumes from its checkpoint.",
  configSchema: z.strictObject({
    count: z.number().int().positive(),
    size: z.number().int().nonnegative().default(64),
    chunkSize: z.number().int().positive().default(100),
    seed: z.number().int().default(1),
    checkpointKey: z.string().min(1).default("generate"),
    unique: z.boolean().default(false),
  }),
  create: (config) => new GenerateSource(config),
});
