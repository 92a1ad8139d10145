import type { CycleSummary } from "../build/engine.js";
import type { ProgressTracker } from "./progress-tracker.js";

/**
 * A live view for a person watching a one-shot run in a terminal: rows read and sent per
 * partition (table), redrawn in place at most every `intervalMs`, then a summary table.
 */
export class ProgressDisplay {
  private lastDraw = 0;
  private drawnLines = 0;
  private pending: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;
  private readonly started = Date.now();

  constructor(
    private readonly tracker: ProgressTracker,
    private readonly out: NodeJS.WriteStream,
    private readonly intervalMs = 200,
  ) {
    this.unsubscribe = tracker.onChange(() => this.schedule());
  }

  finish(summary: CycleSummary | undefined): void {
    this.unsubscribe();
    if (this.pending) clearTimeout(this.pending);
    this.draw();
    this.out.write(`\n${renderSummary(this.tracker, summary, Date.now() - this.started)}\n`);
  }

  private schedule(): void {
    const wait = this.lastDraw + this.intervalMs - Date.now();
    if (wait <= 0) this.draw();
    else
      this.pending ??= setTimeout(() => {
        this.pending = undefined;
        this.draw();
      }, wait);
  }

  private draw(): void {
    this.lastDraw = Date.now();
    const lines = renderRows(this.tracker);
    // Move up over the previous frame and clear it, so the table updates in place.
    if (this.drawnLines > 0) this.out.write(`\x1b[${this.drawnLines}A\x1b[0J`);
    this.out.write(`${lines.join("\n")}\n`);
    this.drawnLines = lines.length;
  }
}

function renderRows(tracker: ProgressTracker): string[] {
  const sinks = [...new Set([...tracker.partitions.values()].flatMap((p) => Object.keys(p.sent)))].sort();
  const header = ["partition", "read", ...sinks.map((s) => `sent:${s}`)];
  const rows = [...tracker.partitions.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, p]) => [name, String(p.read), ...sinks.map((s) => String(p.sent[s] ?? 0))]);
  const totals = tracker.totals();
  rows.push(["total", String(totals.read), ...sinks.map((s) => String(totals.sent[s] ?? 0))]);
  return table([header, ...rows]);
}

export function renderSummary(
  tracker: ProgressTracker,
  summary: CycleSummary | undefined,
  elapsedMs: number,
): string {
  const totals = tracker.totals();
  const rows = [
    ["rows read", String(summary?.received ?? totals.read)],
    ...Object.entries(summary?.sent ?? totals.sent).map(([sink, n]) => [`sent to ${sink}`, String(n)]),
    ["dead-lettered", String(summary?.deadLettered ?? 0)],
    ["retries", String(summary?.retries ?? 0)],
    ["checkpoints committed", String(summary?.checkpoints.keys ?? 0)],
    ["duration", `${((summary?.durationMs ?? elapsedMs) / 1000).toFixed(2)}s`],
  ];
  return table([["summary", ""], ...rows]).join("\n");
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length))) ?? [];
  return rows.map((r) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join("  "),
  );
}
