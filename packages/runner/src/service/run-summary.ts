import { EXIT_CODES } from "./exit-codes.js";
import type { ServiceOutcome } from "./pipeline-service.js";
import { runOutcomeLines } from "./run-outcome-lines.js";

/**
 * The plain-words end of a one-shot run. Akto keeps the last 8,000 characters of a connector's
 * stdout as the job's error, so these lines come last: what failed, why, what to do, then the
 * exit code and what it means. The facts of the run (deadline, undelivered records) come first.
 */
export function oneShotSummaryLines(
  outcome: Pick<ServiceOutcome, "exitCode" | "deadlineReached" | "undelivered" | "unsent" | "error">,
  deadlineSeconds: number | undefined,
): string[] {
  const lines = runOutcomeLines(outcome, deadlineSeconds);
  if (outcome.error !== undefined) lines.push(...failureLines(outcome.error));
  lines.push(`exit code ${outcome.exitCode}: ${meaning(outcome.exitCode)}`);
  return lines;
}

/** A failure as three plain lines; also for a pipeline that could not start. */
export function failureLines(error: unknown): string[] {
  const chain = causes(error);
  const top = chain[0];
  const lines = [`failed: ${top ? top.message : String(error)}`];
  const declared = chain.find((e) => typeof (e as { class?: unknown }).class === "string") as
    | { class: string }
    | undefined;
  const why = chain
    .slice(1)
    .map((e) => e.message)
    .filter((m) => m && !top?.message.includes(m));
  if (why.length > 0 || declared) {
    const kind = declared ? `${declared.class} error (${top?.name ?? "Error"})` : (top?.name ?? "error");
    lines.push(`why: ${kind}${why.length > 0 ? `: ${why.join("; ")}` : ""}`);
  }
  const hint = chain.map((e) => (e as { hint?: unknown }).hint).find((h) => typeof h === "string");
  lines.push(
    `what to do: ${typeof hint === "string" ? hint : "see the error above; nothing undelivered was committed, so the run can simply be repeated once it is fixed"}`,
  );
  return lines;
}

function causes(error: unknown): Error[] {
  const out: Error[] = [];
  for (let e: unknown = error; e instanceof Error && out.length < 5; e = e.cause) out.push(e);
  return out;
}

function meaning(code: number): string {
  switch (code) {
    case EXIT_CODES.ok:
      return "everything read was delivered (bad input dead-lettered with its reason)";
    case EXIT_CODES.undelivered:
      return "a destination was unavailable; the rest is sent by the next run";
    case EXIT_CODES.config:
      return "the configuration is not usable";
    default:
      return "the run failed; see above";
  }
}
