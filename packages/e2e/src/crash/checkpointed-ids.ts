import { readFile } from "node:fs/promises";

/**
 * Ids the checkpoint file records as delivered, per table: what the next run will skip. Anything
 * listed here that no sink (or the dead-letter file) holds is lost for good.
 */
export async function checkpointedIds(path: string): Promise<Map<string, string[]>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Map();
    throw error;
  }
  // No try/catch: a torn checkpoint file is itself a failure the crash suite must report.
  const positions = JSON.parse(text) as Record<
    string,
    { delivered?: [string, number][]; floor?: number | null }
  >;
  const out = new Map<string, string[]>();
  for (const [table, position] of Object.entries(positions)) {
    if (position.floor != null) {
      throw new Error(`checkpoint of ${table} has a floor: the id cap was hit, ids below it are not listed`);
    }
    out.set(
      table,
      (position.delivered ?? []).map(([id]) => id),
    );
  }
  return out;
}
