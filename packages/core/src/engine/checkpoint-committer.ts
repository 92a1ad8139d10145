import type { CheckpointStore } from "../contracts/checkpoint.js";

/**
 * Writes committable positions to the store one at a time. While a commit is running, newer
 * positions of the same key replace older pending ones (only the latest matters).
 */
export class CheckpointCommitter {
  private readonly pending = new Map<string, unknown>();
  private running: Promise<void> | undefined;
  readonly committed = new Map<string, unknown>();

  constructor(
    private readonly store: CheckpointStore,
    private readonly onError: (error: unknown) => void,
  ) {}

  schedule(key: string, position: unknown): void {
    this.pending.set(key, position);
    this.running ??= this.run();
  }

  /** Resolves once every scheduled position is written (or failed). */
  async settle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Drop positions not yet written (after a stop gave up on in-flight work). */
  discardPending(): void {
    this.pending.clear();
  }

  private async run(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const [key, position] = this.pending.entries().next().value as [string, unknown];
        this.pending.delete(key);
        await this.store.commit(key, position);
        this.committed.set(key, position);
      }
    } catch (error) {
      this.pending.clear();
      this.onError(error);
    } finally {
      this.running = undefined;
    }
  }
}
