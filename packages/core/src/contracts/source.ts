import type { CheckpointView } from "./checkpoint.js";
import type { ComponentContext, HealthStatus } from "./context.js";
import type { Message } from "./message.js";

export interface SourceContext extends ComponentContext {
  readonly checkpoints: CheckpointView;
}

/**
 * A chunk of messages and, optionally, the position reached once every one of them (and every
 * earlier chunk of the same checkpoint key) has been acknowledged by every sink.
 */
export interface SourceChunk<T = unknown> {
  readonly messages: readonly Message<T>[];
  /**
   * Records the source read but could not turn into messages (malformed rows…). The engine sends
   * each to the dead-letter path with its error (stage "source") and counts them as acknowledged for
   * this chunk's checkpoint, so a bad row is reported once and never blocks progress.
   */
  readonly rejected?: readonly { readonly message: Message<unknown>; readonly error: Error }[];
  readonly checkpoint?: { readonly key: string; readonly position: unknown };
  /**
   * The checkpoint key this chunk's messages belong to when it carries no checkpoint itself (a source
   * that checkpoints every N chunks). A later checkpoint of that key then waits for this chunk too.
   * A chunk with neither is covered by no checkpoint.
   */
  readonly partition?: string;
}

/**
 * A source produces chunks lazily: the engine pulls the next chunk only when the in-flight budget
 * has room, so a source must not fetch ahead of `next()` being called.
 * One call of `read()` is one pass (a polling cycle); the runner schedules repeated passes.
 */
export interface Source<T = unknown> {
  readonly type: string;
  open?(ctx: SourceContext): Promise<void>;
  read(ctx: SourceContext): AsyncIterable<SourceChunk<T>>;
  health?(): Promise<HealthStatus>;
  /** Figures about the last pass for the runner's per-cycle summary log (agents, tables, late rows…). */
  cycleSummary?(): Readonly<Record<string, number>> | undefined;
  close?(): Promise<void>;
}
