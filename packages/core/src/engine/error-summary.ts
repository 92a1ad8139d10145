import type { Failure } from "./delivery.js";
import type { ErrorSummary } from "./reports.js";

const MAX_ERROR_KINDS = 100;

/** The distinct non-fatal failure kinds of one cycle, counted for its report. */
export class ErrorSummaries {
  private readonly kinds = new Map<string, ErrorSummary>();

  note(failure: Omit<Failure, "attempts">): void {
    const message = failure.error instanceof Error ? failure.error.message : String(failure.error);
    const key = `${failure.stage}\u0000${failure.component}\u0000${failure.errorClass}\u0000${message}`;
    const known = this.kinds.get(key);
    if (known) known.count++;
    else if (this.kinds.size < MAX_ERROR_KINDS) {
      this.kinds.set(key, {
        stage: failure.stage,
        component: failure.component,
        errorClass: failure.errorClass,
        message,
        count: 1,
      });
    }
  }

  list(): ErrorSummary[] {
    return [...this.kinds.values()];
  }
}
