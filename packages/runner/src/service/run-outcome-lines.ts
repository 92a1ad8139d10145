import type { ServiceOutcome } from "./pipeline-service.js";

/**
 * The facts a one-shot run ends on that a person must see: whether the deadline cut it short, and
 * per destination what it could not take. Plain lines, so the final summary can place them as it likes.
 */
export function runOutcomeLines(
  outcome: Pick<ServiceOutcome, "deadlineReached" | "undelivered" | "unsent">,
  deadlineSeconds: number | undefined,
): string[] {
  const lines: string[] = [];
  if (outcome.deadlineReached) {
    const unsent = outcome.unsent ? `, as are ${outcome.unsent} record(s) read but not yet sent` : "";
    lines.push(
      `deadline reached (${deadlineSeconds ?? "?"} s): stopped reading; what was not read is left for the next run${unsent}`,
    );
  }
  for (const u of outcome.undelivered ?? []) {
    lines.push(
      `not delivered to "${u.sink}": ${u.count} record(s), destination unavailable${u.reason ? ` (${u.reason})` : ""}; left for the next run, not dead-lettered`,
    );
  }
  return lines;
}
