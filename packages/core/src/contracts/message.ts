/**
 * The envelope every stage passes on. Immutable: a transform that changes a message returns a new
 * one (use {@link deriveMessage}) so acknowledgement tracking can follow it back to its origin.
 */
export interface Message<T = unknown> {
  /** Stable identity, e.g. a Databricks request id. Used for dead letters and de-duplication. */
  readonly id: string;
  readonly value: T;
  readonly meta: Readonly<MessageMeta>;
  /** Approximate size in bytes, used for in-flight budgets and batch limits. */
  readonly sizeBytes: number;
}

export interface MessageMeta {
  /** Name of the source component that produced the message. */
  readonly source?: string;
  /** Source-specific partition of the data, e.g. a table's full name. */
  readonly partition?: string;
  /** Event time in epoch milliseconds. */
  readonly eventTime?: number;
  readonly [key: string]: unknown;
}

/** Rough byte size of a value: exact for strings and buffers, JSON length otherwise. */
export function estimateSize(value: unknown): number {
  if (typeof value === "string") return Buffer.byteLength(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value === undefined || value === null) return 0;
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? "");
  } catch {
    return 0;
  }
}

export function createMessage<T>(
  id: string,
  value: T,
  meta: MessageMeta = {},
  sizeBytes: number = estimateSize(value),
): Message<T> {
  return Object.freeze({ id, value, meta: Object.freeze({ ...meta }), sizeBytes });
}

/** A new message carrying the same id (unless given) and merged metadata. */
export function deriveMessage<T>(
  parent: Message<unknown>,
  value: T,
  changes: { id?: string; meta?: MessageMeta; sizeBytes?: number } = {},
): Message<T> {
  return createMessage(
    changes.id ?? parent.id,
    value,
    { ...parent.meta, ...changes.meta },
    changes.sizeBytes ?? estimateSize(value),
  );
}
