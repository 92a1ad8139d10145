import type { Logger } from "../contracts/context.js";
import type { Source, SourceChunk, SourceContext } from "../contracts/source.js";
import { FatalError } from "../errors/classified-errors.js";
import type { ComponentAttributes, PipelineMetrics } from "../telemetry/pipeline-metrics.js";
import { ChunkState } from "./ack-tracking.js";
import type { AckLedger } from "./delivery.js";
import type { ErrorSummaries } from "./error-summary.js";
import type { InFlightBudget } from "./in-flight-budget.js";
import type { TransformChain } from "./transform-chain.js";

/** What the source reader needs from the cycle's lifecycle. */
export interface SourceReaderCycle {
  readonly stopping: boolean;
  readonly signal: AbortSignal;
  fail(error: FatalError): void;
}

export interface SourceReaderOptions {
  readonly source: { readonly id: string; readonly source: Source; readonly attrs: ComponentAttributes };
  readonly cycle: SourceReaderCycle;
  readonly budget: InFlightBudget;
  readonly ledger: AckLedger;
  readonly chain: TransformChain;
  readonly errors: ErrorSummaries;
  readonly metrics: PipelineMetrics;
  readonly logger: Logger;
}

/** Pulls chunks from the source while the in-flight budget has room and admits them to the chain. */
export class SourceReader {
  received = 0;
  receivedBytes = 0;
  /** Chunks' messages read but never admitted because the cycle began stopping. */
  unadmitted = 0;
  /** A non-fatal error the source failed with; the cycle rethrows it once what was read is drained. */
  error: unknown;
  private readonly source: SourceReaderOptions["source"];
  private readonly cycle: SourceReaderCycle;
  private readonly budget: InFlightBudget;
  private readonly ledger: AckLedger;
  private readonly chain: TransformChain;
  private readonly errors: ErrorSummaries;
  private readonly metrics: PipelineMetrics;
  private readonly logger: Logger;

  constructor(options: SourceReaderOptions) {
    this.source = options.source;
    this.cycle = options.cycle;
    this.budget = options.budget;
    this.ledger = options.ledger;
    this.chain = options.chain;
    this.errors = options.errors;
    this.metrics = options.metrics;
    this.logger = options.logger;
  }

  async pull(ctx: SourceContext): Promise<void> {
    let iterator: AsyncIterator<SourceChunk>;
    try {
      iterator = this.source.source.read(ctx)[Symbol.asyncIterator]();
    } catch (error) {
      this.onSourceError(error);
      return;
    }
    let ended = false;
    try {
      while (!this.cycle.stopping) {
        if (!this.budget.hasRoom()) {
          this.ledger.freeHeldBudget();
          if (this.budget.hasRoom()) continue;
          await this.budget.waitForRoom();
          continue;
        }
        const next = await iterator.next();
        if (next.done) {
          ended = true;
          break;
        }
        // A chunk is admitted only once it fits: what is delivered and not yet committed (all a crash
        // can make a restart send again) then never exceeds the budget; memory is budget + this chunk.
        await this.waitToFit(next.value);
        if (this.cycle.stopping) {
          // Read but never admitted: not acknowledged, so the source will deliver it again.
          this.unadmitted += next.value.messages.length;
          break;
        }
        const admitting = this.admit(next.value);
        if (admitting) await admitting;
      }
    } catch (error) {
      ended = true; // a generator that threw is finished; return() would be a no-op
      this.onSourceError(error);
    }
    if (!ended && iterator.return) {
      try {
        await iterator.return(undefined);
      } catch (error) {
        this.logger.warn({ err: error }, "source failed while being stopped");
      }
    }
  }

  private onSourceError(error: unknown): void {
    if (error instanceof FatalError) {
      this.cycle.fail(error);
      return;
    }
    if (this.cycle.signal.aborted) return; // the source gave up because we asked it to
    this.error = error;
    // A source error may declare its class (`class: "fatal"` for rejected credentials…): count it so.
    const declared = (error as { class?: unknown } | null)?.class;
    const errorClass = declared === "fatal" || declared === "poison" ? declared : "retryable";
    this.metrics.error(this.source.attrs, "source", errorClass);
    this.errors.note({ stage: "source", component: this.source.id, error, errorClass });
    this.logger.error({ err: error }, "source failed; draining what was already read");
  }

  private async waitToFit(chunk: SourceChunk): Promise<void> {
    const count = chunk.messages.length + (chunk.rejected?.length ?? 0);
    if (count === 0) return;
    let bytes = 0;
    for (const m of chunk.messages) bytes += m.sizeBytes;
    for (const r of chunk.rejected ?? []) bytes += r.message.sizeBytes;
    while (!this.cycle.stopping && !this.budget.fits(count, bytes)) {
      this.ledger.freeHeldBudget();
      if (this.budget.fits(count, bytes)) return;
      await this.budget.waitForRoom();
    }
  }

  private admit(chunk: SourceChunk): Promise<void> | undefined {
    // Rows the source could not decode ride along with the chunk, so they are dead-lettered in order
    // and count towards its checkpoint like every other message.
    const rejected = chunk.rejected;
    const messages = rejected?.length
      ? [...chunk.messages, ...rejected.map((r) => r.message)]
      : chunk.messages;
    const state = new ChunkState(chunk.checkpoint, messages.length, chunk.partition);
    if (rejected?.length) state.rejected = new Map(rejected.map((r) => [r.message, r.error.message]));
    const ordering = this.ledger.ordering;
    ordering.admit(state);
    if (messages.length === 0) {
      ordering.chunkDone(state);
      return undefined;
    }
    let bytes = 0;
    for (let i = 0; i < messages.length; i++) bytes += messages[i]!.sizeBytes;
    this.budget.admit(messages.length, bytes);
    this.received += messages.length;
    this.receivedBytes += bytes;
    this.metrics.received(this.source.attrs, messages.length, bytes);
    return this.chain.run(state, messages);
  }
}
