/**
 * Durable storage of source positions. A position is opaque JSON owned by the source (a watermark,
 * an offset, a table's state…), stored per key (e.g. one key per table). A source with a large state
 * may spread it over several keys (see {@link IncrementalPosition}); by convention such auxiliary keys
 * are named `<key>#<suffix>`, so `checkpointKeyOwner` maps them back to the key they belong to.
 */
export interface CheckpointStore {
  load(key: string): Promise<unknown | undefined>;
  /** All stored keys and positions (used by sources that enumerate their partitions). */
  loadAll(): Promise<ReadonlyMap<string, unknown>>;
  /** Must be durable when the promise resolves. */
  commit(key: string, position: unknown): Promise<void>;
  /**
   * Writes several keys at once, durable when the promise resolves; `undefined` deletes a key.
   * Stores that can should make it one write (one fsync, one produce request); without it the
   * engine commits the keys one by one.
   */
  commitMany?(entries: ReadonlyMap<string, unknown>): Promise<void>;
  close?(): Promise<void>;
}

/** Read-only view of committed positions, handed to sources. */
export interface CheckpointView {
  get(key: string): Promise<unknown | undefined>;
  all(): Promise<ReadonlyMap<string, unknown>>;
}

/** What an {@link IncrementalPosition} asks the engine to store. */
export interface CheckpointWrites {
  /** Store key → value; `undefined` deletes the key. */
  readonly entries: ReadonlyMap<string, unknown>;
  /** Called once the entries are durable (e.g. so the source can forget what it no longer must write). */
  durable?(): void;
}

/**
 * A position that is not itself the stored value. A source whose state is large (the delivered ids
 * of a look-back window) must not copy it into every chunk: it hands out this O(1) handle instead,
 * and when the position is flushed — only ever after every message up to it was acknowledged, in
 * order per key — the engine calls `checkpointWrites()`, the source folds what that position covers
 * into its state and returns just the keys that changed.
 */
export interface IncrementalPosition {
  checkpointWrites(): CheckpointWrites;
}

export function isIncrementalPosition(position: unknown): position is IncrementalPosition {
  return (
    typeof position === "object" &&
    position !== null &&
    typeof (position as Partial<IncrementalPosition>).checkpointWrites === "function"
  );
}

/** The key an auxiliary checkpoint key (`<key>#<suffix>`) belongs to; other keys map to themselves. */
export function checkpointKeyOwner(key: string): string {
  const hash = key.indexOf("#");
  return hash < 0 ? key : key.slice(0, hash);
}
