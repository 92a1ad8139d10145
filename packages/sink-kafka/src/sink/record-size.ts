import type { Message as KafkaMessage } from "kafkajs";

/** Kafka's record batch header (magic v2). */
export const BATCH_OVERHEAD_BYTES = 61;
/** Upper bound of one record's framing (length, attributes, deltas as varints) besides its data. */
const RECORD_OVERHEAD_BYTES = 24;
/** Kafka's default `max.message.bytes`, used when the topic's own value cannot be read. */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

function byteLength(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === "string") return Buffer.byteLength(value);
  if (Buffer.isBuffer(value)) return value.byteLength;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + byteLength(v), 0);
  return Buffer.byteLength(String(value));
}

/**
 * Uncompressed size of a record as it travels inside a record batch. `valueBytes`: the value's
 * UTF-8 length when the caller already knows it (a pre-encoded message), so it is not measured again.
 */
export function recordSize(record: KafkaMessage, valueBytes?: number): number {
  let size = RECORD_OVERHEAD_BYTES + byteLength(record.key) + (valueBytes ?? byteLength(record.value));
  for (const [name, value] of Object.entries(record.headers ?? {}))
    size += 2 + byteLength(name) + byteLength(value);
  return size;
}

/**
 * Consecutive runs of items whose records, with a batch header, stay within `maxBytes` before
 * compression, so no partition's record batch can exceed the topic's `max.message.bytes`.
 * A single item larger than that gets a run of its own (the caller has already vetted it).
 */
export function chunkBySize<T extends { readonly size: number }>(
  items: readonly T[],
  maxBytes: number,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = BATCH_OVERHEAD_BYTES;
  for (const item of items) {
    if (current.length > 0 && bytes + item.size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = BATCH_OVERHEAD_BYTES;
    }
    current.push(item);
    bytes += item.size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
