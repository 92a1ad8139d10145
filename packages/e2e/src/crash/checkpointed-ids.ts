import { silentLogger } from "@pipekit/core";
import { checkpointKeyOwner } from "@pipekit/core/advanced";
import { FileCheckpointStore } from "@pipekit/core/builtins";
import { DeliveredIds } from "@pipekit/source-databricks";

/**
 * Which of `candidates` the checkpoint file records as delivered: what the next run will skip.
 * The file keeps ids as hashes (by time bucket), so it cannot list them; the suite asks about every
 * id it knows of (the emulator's rows, what the sinks and the dead-letter file hold). Anything the
 * checkpoint records that no sink (or the dead-letter file) holds is lost for good.
 */
export async function checkpointedIds(path: string, candidates: Iterable<string>): Promise<Set<string>> {
  // A fresh store reads the file as a restarted runner would (torn tails and all).
  const store = new FileCheckpointStore(path);
  const positions = await store.loadAll();
  const view = { get: async (key: string) => positions.get(key), all: async () => positions };
  const tables = new Set([...positions.keys()].map(checkpointKeyOwner));
  const states: DeliveredIds[] = [];
  for (const table of tables) {
    const state = await DeliveredIds.load(view, {
      table,
      maxBytes: 2 ** 30,
      writer: "crash-suite",
      logger: silentLogger,
    });
    if (state.floor !== null) {
      throw new Error(
        `checkpoint of ${table} has a floor: its byte bound was hit, ids below it are not tracked`,
      );
    }
    states.push(state);
  }
  const out = new Set<string>();
  for (const id of candidates) if (states.some((s) => s.containsAnywhere(id))) out.add(id);
  return out;
}
