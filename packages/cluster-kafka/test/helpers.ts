import { randomUUID } from "node:crypto";
import type { Logger } from "@pipekit/core";

/** Unique names so tests sharing the broker never see each other's topics or groups. */
export function uniqueNames(label: string): {
  group: string;
  coordinationTopic: string;
  checkpointTopic: string;
} {
  const id = `${label}-${randomUUID().slice(0, 8)}`;
  return { group: `g-${id}`, coordinationTopic: `coord-${id}`, checkpointTopic: `ckpt-${id}` };
}

export interface LogEntry {
  readonly level: string;
  readonly msg: string | undefined;
  readonly fields: Record<string, unknown>;
}

/** A logger that keeps every entry (children share the list). */
export function recordingLogger(entries: LogEntry[] = []): Logger & { entries: LogEntry[] } {
  const make = (bindings: Record<string, unknown>): Logger & { entries: LogEntry[] } => {
    const log = (level: string) => (obj: object, msg?: string) => {
      entries.push({ level, msg, fields: { ...bindings, ...obj } });
    };
    return {
      entries,
      debug: log("debug"),
      info: log("info"),
      warn: log("warn"),
      error: log("error"),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return make({});
}

/** Polls `condition` until it holds or the deadline passes (no fixed sleeps). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
