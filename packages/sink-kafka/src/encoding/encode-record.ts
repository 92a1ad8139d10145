import type { Message } from "@pipekit/core";
import type { DeadLetterRecord } from "@pipekit/core/advanced";
import type { Message as KafkaMessage } from "kafkajs";

/** Turns a pipeline message into a Kafka record; throws (naming the message) when it cannot. */
export type RecordEncoder = (message: Message) => KafkaMessage;

/** Strings and bytes go as they are; anything else as JSON text. */
export function encodeValue(value: unknown, messageId: string): string | Buffer {
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (value === undefined) throw new Error(`message '${messageId}' has no value to write to Kafka`);
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new Error(`message '${messageId}' cannot be serialised as JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (json === undefined) throw new Error(`message '${messageId}' cannot be serialised as JSON`);
  return json;
}

/** The message's value as written: its pre-encoded JSON when it has one (no second serialisation). */
function messageValue(message: Message): string | Buffer {
  return message.encoded?.text ?? encodeValue(message.value, message.id);
}

/** The data sink's records: the value, and the message id as key when asked for. */
export function valueEncoder(options: { readonly key: "none" | "id" }): RecordEncoder {
  if (options.key === "id") {
    return (message) => ({ key: message.id, value: messageValue(message) });
  }
  return (message) => ({ value: messageValue(message) });
}

/**
 * Core's DeadLetterRecord, read leniently: a record written by an older version, or by hand for a
 * replay, may lack fields, and is still written with the headers it has.
 */
type DeadLetterShape = Partial<Omit<DeadLetterRecord, "error" | "message">> & {
  readonly error: Partial<DeadLetterRecord["error"]>;
  readonly message: Pick<DeadLetterRecord["message"], "id" | "value">;
};

function isDeadLetter(value: unknown): value is DeadLetterShape {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.error === "object" &&
    v.error !== null &&
    typeof v.message === "object" &&
    v.message !== null &&
    typeof (v.message as Record<string, unknown>).id === "string"
  );
}

/**
 * Dead letters: the failed message's own value (as the data sink would have written it) keyed by
 * its id, with why and where it failed in `pipekit-*` headers, so a consumer can replay the value
 * unchanged. Anything that is not a dead-letter record is written whole, as JSON.
 */
export function deadLetterEncoder(): RecordEncoder {
  return (message) => {
    const dl = message.value;
    if (!isDeadLetter(dl)) return { key: message.id, value: encodeValue(dl, message.id) };
    const headers: Record<string, string> = {
      "pipekit-message-id": dl.message.id,
      "pipekit-error-name": dl.error.name ?? "Error",
      "pipekit-error-message": dl.error.message ?? "",
      "pipekit-error-class": dl.error.class ?? "",
    };
    if (dl.stage !== undefined) headers["pipekit-stage"] = dl.stage;
    if (dl.component !== undefined) headers["pipekit-component"] = dl.component;
    if (dl.pipeline !== undefined) headers["pipekit-pipeline"] = dl.pipeline;
    if (dl.attempts !== undefined) headers["pipekit-attempts"] = String(dl.attempts);
    if (dl.time !== undefined) headers["pipekit-failed-at"] = dl.time;
    const value = dl.message.value === undefined ? null : encodeValue(dl.message.value, dl.message.id);
    return { key: dl.message.id, value, headers };
  };
}
