import { createMessage, type Message } from "../contracts/message.js";
import type { Sink, WriteContext } from "../contracts/sink.js";
import { FatalError } from "../errors/classified-errors.js";

/** Where in the pipeline a message failed. */
export type FailureStage = "source" | "transform" | "sink";

/** What the dead-letter sink receives as each message's value: the failed message and why. */
export interface DeadLetterRecord {
  readonly time: string;
  readonly pipeline: string;
  readonly stage: FailureStage;
  /** The component that failed on it, e.g. "transforms[1]" or a sink id. */
  readonly component: string;
  readonly attempts: number;
  readonly error: { readonly name: string; readonly message: string; readonly class: string };
  readonly message: {
    readonly id: string;
    readonly meta: Message["meta"];
    readonly sizeBytes: number;
    readonly value: unknown;
  };
}

export function deadLetterRecord(
  pipeline: string,
  message: Message,
  failure: { stage: FailureStage; component: string; attempts: number; error: unknown; errorClass: string },
  now: number,
): Message<DeadLetterRecord> {
  const error = failure.error instanceof Error ? failure.error : new Error(String(failure.error));
  const record: DeadLetterRecord = {
    time: new Date(now).toISOString(),
    pipeline,
    stage: failure.stage,
    component: failure.component,
    attempts: failure.attempts,
    error: { name: error.name, message: error.message, class: failure.errorClass },
    message: { id: message.id, meta: message.meta, sizeBytes: message.sizeBytes, value: message.value },
  };
  return createMessage(message.id, record, { ...message.meta, deadLetter: true }, message.sizeBytes + 256);
}

/**
 * Writes dead letters as soon as they arrive, grouping whatever queued up while the previous write
 * ran. The dead-letter sink is the last resort: if it fails, the pipeline must stop (`onFatal`)
 * rather than acknowledge messages that are stored nowhere.
 */
export class DeadLetterWriter {
  private queue: { record: Message<DeadLetterRecord>; onWritten: () => void }[] = [];
  private writing = false;
  private scheduled = false;
  private failed = false;

  constructor(
    private readonly sink: Sink,
    private readonly sinkName: string,
    private readonly context: () => Omit<WriteContext, "attempt">,
    private readonly onFatal: (error: FatalError) => void,
  ) {}

  write(record: Message<DeadLetterRecord>, onWritten: () => void): void {
    if (this.failed) return;
    this.queue.push({ record, onWritten });
    if (!this.writing && !this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => void this.pump());
    }
  }

  private async pump(): Promise<void> {
    this.scheduled = false;
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length > 0 && !this.failed) {
        const batch = this.queue.splice(0, 500);
        try {
          const result = await this.sink.write(
            batch.map((e) => e.record),
            { ...this.context(), attempt: 1 },
          );
          if (result && result.failed.length > 0) {
            throw new Error(`rejected ${result.failed.length} of ${batch.length} dead letters`);
          }
        } catch (error) {
          this.failed = true;
          this.queue = [];
          const message = error instanceof Error ? error.message : String(error);
          this.onFatal(
            new FatalError(`Dead-letter sink "${this.sinkName}" failed: ${message}`, { cause: error }),
          );
          return;
        }
        for (const entry of batch) entry.onWritten();
      }
    } finally {
      this.writing = false;
    }
  }
}
