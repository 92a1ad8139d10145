import type { CheckpointStore } from "../contracts/checkpoint.js";

/** Positions in a Map: for tests and for pipelines that need no resume after a restart. */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly positions = new Map<string, unknown>();
  /** Every commit in order, handy for asserting the commit sequence. */
  readonly history: { key: string; position: unknown }[] = [];

  constructor(initial?: Iterable<[string, unknown]>) {
    if (initial) for (const [k, v] of initial) this.positions.set(k, v);
  }

  async load(key: string): Promise<unknown | undefined> {
    return this.positions.get(key);
  }

  async loadAll(): Promise<ReadonlyMap<string, unknown>> {
    return new Map(this.positions);
  }

  async commit(key: string, position: unknown): Promise<void> {
    this.positions.set(key, position);
    this.history.push({ key, position });
  }

  async commitMany(entries: ReadonlyMap<string, unknown>): Promise<void> {
    for (const [key, position] of entries) {
      if (position === undefined) this.positions.delete(key);
      else this.positions.set(key, position);
      this.history.push({ key, position });
    }
  }
}
