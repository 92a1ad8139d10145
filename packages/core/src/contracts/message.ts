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
  /**
   * The value already in its wire form, when the stage that built it had it anyway (the Akto
   * mapping serialises each record once to size it). Sinks that write JSON send this text instead
   * of serialising `value` again, and fall back to JSON.stringify(value) when it is absent.
   */
  readonly encoded?: EncodedValue;
}

/**
 * A value's JSON text, made once. `text` is what JSON.stringify(value) gives, so a sink may send
 * either; `bytes` is its UTF-8 length (exact, so it also serves as the message's size).
 */
export interface EncodedValue {
  readonly text: string;
  /** UTF-8 length of `text`: sinks size their batches by it without measuring the text again. */
  readonly bytes: number;
  /**
   * The value shortened so its text takes at most `maxBytes`, for a destination whose record limit
   * is below this one (e.g. a Kafka topic's `max.message.bytes`). The producer knows which fields
   * may be cut and how to mark the cut; `undefined` means it cannot get that small (the record is
   * poison for that destination). Absent when the value has no such notion.
   */
  fit?(maxBytes: number): FittedValue | undefined;
}

/** A shortened wire form and the names of the fields that were cut (never their contents). */
export interface FittedValue {
  readonly text: string;
  readonly bytes: number;
  readonly truncated: readonly string[];
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

/** An {@link EncodedValue} for JSON text already at hand (sizes it once). */
export function encodedJson(text: string, fit?: EncodedValue["fit"]): EncodedValue {
  const bytes = Buffer.byteLength(text);
  return fit ? { text, bytes, fit } : { text, bytes };
}

/**
 * The JSON text a sink writes for a message: the pre-encoded text when there is one, else the value
 * serialised. Undefined when the value has no JSON form (undefined, a function); throws what
 * JSON.stringify throws (cycles, BigInt), so each sink can classify that as bad data.
 */
export function messageJson(message: Message): string | undefined {
  return message.encoded?.text ?? JSON.stringify(message.value);
}

/**
 * A message from a source or test. Without `sizeBytes` the value is sized by serialising it (the
 * encoded text's length when given): sources usually know better and should pass it.
 */
export function createMessage<T>(
  id: string,
  value: T,
  meta: MessageMeta = {},
  sizeBytes?: number,
  encoded?: EncodedValue,
): Message<T> {
  return frozenMessage(id, value, { ...meta }, sizeBytes ?? encoded?.bytes ?? estimateSize(value), encoded);
}

/** `meta` must be a fresh object: it is frozen, not copied again (one copy per derived message). */
function frozenMessage<T>(
  id: string,
  value: T,
  meta: MessageMeta,
  sizeBytes: number,
  encoded: EncodedValue | undefined,
): Message<T> {
  const frozenMeta = Object.freeze(meta);
  return Object.freeze(
    encoded === undefined
      ? { id, value, meta: frozenMeta, sizeBytes }
      : { id, value, meta: frozenMeta, sizeBytes, encoded },
  );
}

/**
 * A message that keeps its value only as the encoded JSON text: reading `value` parses that text
 * (each read a fresh copy). For values made to be sent, such as Akto records: sinks send `encoded`
 * and never read `value`, and keeping both the object and its text doubled the memory of every
 * record waiting for a slow destination.
 */
export function deriveEncodedMessage<T>(
  parent: Message<unknown>,
  encoded: EncodedValue,
  changes: { id?: string; meta?: MessageMeta } = {},
): Message<T> {
  return encodedOnlyMessage(changes.id ?? parent.id, { ...parent.meta, ...changes.meta }, encoded);
}

/** `meta` must be a fresh object: it is frozen, not copied. */
export function encodedOnlyMessage<T>(id: string, meta: MessageMeta, encoded: EncodedValue): Message<T> {
  const message = { id, meta: Object.freeze(meta), sizeBytes: encoded.bytes, encoded };
  Object.defineProperty(message, "value", { enumerable: true, get: parseEncoded });
  return Object.freeze(message) as unknown as Message<T>;
}

/** True for a message made by {@link deriveEncodedMessage}: its value is only its encoded text. */
export function isEncodedOnly(message: Message): boolean {
  return Object.getOwnPropertyDescriptor(message, "value")?.get === parseEncoded;
}

/** One getter shared by every encoded-only message (no closure per message). */
function parseEncoded(this: { readonly encoded: EncodedValue }): unknown {
  return JSON.parse(this.encoded.text);
}

/**
 * A new message carrying the same id (unless given) and merged metadata.
 *
 * Sizing never serialises the value: this runs once per message per transform, and stringifying
 * whole agent executions just to budget them cost more than some transforms themselves. The size
 * is, in order: `changes.sizeBytes`, the encoded text's length, the exact size of a string or
 * buffer value, else the parent's size (sizes are budgets, not promises: a transform that grows or
 * shrinks a value a lot should say so with `sizeBytes`). The parent's `encoded` text is kept only
 * while the value is the very same object, since it would describe the old value otherwise.
 */
export function deriveMessage<T>(
  parent: Message<unknown>,
  value: T,
  changes: { id?: string; meta?: MessageMeta; sizeBytes?: number; encoded?: EncodedValue } = {},
): Message<T> {
  const sameValue = Object.is(value, parent.value);
  const encoded = changes.encoded ?? (sameValue ? parent.encoded : undefined);
  const sizeBytes =
    changes.sizeBytes ??
    encoded?.bytes ??
    (sameValue ? parent.sizeBytes : (cheapSize(value) ?? parent.sizeBytes));
  return frozenMessage(
    changes.id ?? parent.id,
    value,
    { ...parent.meta, ...changes.meta },
    sizeBytes,
    encoded,
  );
}

/** Exact sizes that cost no serialisation; undefined for structured values. */
function cheapSize(value: unknown): number | undefined {
  if (typeof value === "string") return Buffer.byteLength(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value === undefined || value === null) return 0;
  return undefined;
}
