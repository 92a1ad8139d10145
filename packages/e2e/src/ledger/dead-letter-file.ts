import { readFile } from "node:fs/promises";

export interface DeadLetterEntry {
  readonly id: string;
  readonly stage: string;
  readonly component: string;
  readonly reason: string;
}

/**
 * Reads a dead-letter JSONL file. A process killed mid-append can leave a torn last line, and the
 * next run's append then continues on that line; such a line is read from its last record start,
 * so the complete record after the tear still counts.
 */
export async function readDeadLetters(path: string): Promise<DeadLetterEntry[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const entries: DeadLetterEntry[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const parsed = parseRecord(line) ?? parseRecord(line.slice(line.lastIndexOf('{"time":')));
    if (parsed) entries.push(parsed);
  }
  return entries;
}

function parseRecord(text: string): DeadLetterEntry | undefined {
  try {
    const r = JSON.parse(text) as {
      stage?: string;
      component?: string;
      error?: { message?: string };
      message?: { id?: string };
    };
    if (typeof r.message?.id !== "string") return undefined;
    return {
      id: r.message.id,
      stage: r.stage ?? "",
      component: r.component ?? "",
      reason: r.error?.message ?? "",
    };
  } catch {
    return undefined;
  }
}
