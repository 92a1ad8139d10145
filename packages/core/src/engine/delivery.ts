import type { Message } from "../contracts/message.js";
import type { ErrorClass } from "../errors/classified-errors.js";
import { CheckpointOrdering, type ChunkState, type Origin } from "./ack-tracking.js";
import type { CheckpointCommitter } from "./checkpoint-committer.js";
import { type DeadLetterWriter, deadLetterRecord, type FailureStage } from "./dead-letters.js";
import type { InFlightBudget } from "./in-flight-budget.js";

export interface Failure {
  readonly stage: FailureStage;
  readonly component: string;
  readonly attempts: number;
  readonly error: unknown;
  readonly errorClass: ErrorClass | "exhausted";
}

/** Where the fate of each delivery of a source message is reported. */
export interface DeliveryHost {
  ack(origin: Origin): void;
  deadLetter(origin: Origin, message: Message, failure: Failure): void;
  /**
   * The delivery of `origin` to this sink failed for a reason that is not the message's fault
   * (outage): it stays unacknowledged, uncommitted, and is sent again by a later cycle.
   */
  leave(origin: Origin): void;
}

export interface AckLedgerOptions {
  readonly pipelineId: string;
  readonly budget: InFlightBudget;
  readonly committer: CheckpointCommitter;
  readonly deadLetters: DeadLetterWriter;
}

/**
 * Turns settled deliveries into budget releases and checkpoint commits: a source message's budget
 * is freed once it is acknowledged (or, when its chunk has a checkpoint key, once a commit covering
 * it is durable).
 */
export class AckLedger implements DeliveryHost {
  readonly ordering: CheckpointOrdering;
  /** Set once the outcome is decided: later acknowledgements (after an abandoning stop) are ignored. */
  closed = false;
  deadLettered = 0;
  /** Source messages a sink could not deliver: released from the budget, never acknowledged. */
  unacknowledged = 0;
  private readonly pipelineId: string;
  private readonly budget: InFlightBudget;
  private readonly committer: CheckpointCommitter;
  private readonly deadLetters: DeadLetterWriter;

  constructor(options: AckLedgerOptions) {
    this.pipelineId = options.pipelineId;
    this.budget = options.budget;
    this.committer = options.committer;
    this.deadLetters = options.deadLetters;
    this.ordering = new CheckpointOrdering((key, position, covered) =>
      this.committer.schedule(key, position, () => this.releaseHeld(covered)),
    );
  }

  ack(origin: Origin): void {
    if (this.closed) return;
    if (--origin.remaining > 0) return;
    const size = origin.sizeBytes;
    if (origin.left) {
      // Never acknowledged: its chunk stays pending, so no checkpoint of its key passes it.
      this.budget.release(1, size);
      this.unacknowledged++;
      return;
    }
    const chunk = origin.chunk;
    if (chunk.key === undefined) this.budget.release(1, size);
    else {
      // Delivered but not yet committed: a crash now would send it again, so it keeps its budget
      // until the checkpoint covering it is durable (crash duplicates stay within the budget).
      this.budget.hold(1, size);
      chunk.heldMessages++;
      chunk.heldBytes += size;
    }
    if (--chunk.pending === 0) this.ordering.chunkDone(chunk);
  }

  /** The delivery that failed is replaced by a dead-letter write, which acknowledges `origin` once stored. */
  deadLetter(origin: Origin, message: Message, failure: Failure): void {
    this.deadLettered++;
    const record = deadLetterRecord(this.pipelineId, message, failure, Date.now());
    this.deadLetters.write(record, () => this.ack(origin));
  }

  leave(origin: Origin): void {
    origin.left = true;
    this.ack(origin);
  }

  /**
   * The budget is full: if part of it waits for a commit, write now instead of at the interval;
   * what no commit can cover yet (chunks waiting for a later checkpoint) is let go, else reading
   * would wait for a checkpoint it cannot read.
   */
  freeHeldBudget(): void {
    if (this.budget.heldMessages === 0 && this.budget.heldBytes === 0) return;
    if (this.committer.busy) {
      this.committer.flush();
      this.committer.whenWritten(() => this.budget.wakeRoom());
    } else {
      this.releaseHeld(this.ordering.uncovered());
    }
  }

  private releaseHeld(chunks: readonly ChunkState[]): void {
    let messages = 0;
    let bytes = 0;
    for (const chunk of chunks) {
      messages += chunk.heldMessages;
      bytes += chunk.heldBytes;
      chunk.heldMessages = 0;
      chunk.heldBytes = 0;
    }
    this.budget.releaseHeld(messages, bytes);
  }
}
