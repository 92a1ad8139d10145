/**
 * Durable storage of source positions. A position is opaque JSON owned by the source (a watermark,
 * a set of delivered ids, an offset…), stored per key (e.g. one key per table).
 */
export interface CheckpointStore {
  load(key: string): Promise<unknown | undefined>;
  /** All stored keys and positions (used by sources that enumerate their partitions). */
  loadAll(): Promise<ReadonlyMap<string, unknown>>;
  /** Must be durable when the promise resolves. */
  commit(key: string, position: unknown): Promise<void>;
  close?(): Promise<void>;
}

/** Read-only view of committed positions, handed to sources. */
export interface CheckpointView {
  get(key: string): Promise<unknown | undefined>;
  all(): Promise<ReadonlyMap<string, unknown>>;
}
