import {
  createMessage,
  type EncodedValue,
  encodedOnlyMessage,
  isEncodedOnly,
  type Message,
  type MessageMeta,
} from "../contracts/message.js";
import { FatalError, PoisonError } from "../errors/classified-errors.js";
import { type EncodedKind, encodedKindOf, reviveEncoded } from "./encoded-kinds.js";

/**
 * A message as it crosses between threads (structured clone): plain data only. An encoded-only
 * message travels as its text alone; `fit` travels as the encoded value's kind (encoded-kinds.ts).
 */
export interface WireMessage {
  readonly id: string;
  readonly meta: MessageMeta;
  readonly sizeBytes: number;
  /** Absent for an encoded-only message (its value is its text). */
  readonly value?: unknown;
  readonly encoded?: { readonly text: string; readonly bytes: number; readonly kind?: EncodedKind };
}

export function toWire(message: Message): WireMessage {
  const { id, meta, sizeBytes, encoded } = message;
  if (encoded === undefined) return { id, meta, sizeBytes, value: message.value };
  // A `fit` without a kind cannot be rebuilt on the other side: the value then travels without it.
  const kind = encodedKindOf(encoded);
  const wire = { text: encoded.text, bytes: encoded.bytes, ...(kind ? { kind } : {}) };
  return isEncodedOnly(message)
    ? { id, meta, sizeBytes, encoded: wire }
    : { id, meta, sizeBytes, value: message.value, encoded: wire };
}

export function fromWire(wire: WireMessage): Message {
  const encoded = wire.encoded && encodedFromWire(wire.encoded);
  if (encoded && !("value" in wire)) return encodedOnlyMessage(wire.id, { ...wire.meta }, encoded);
  return createMessage(wire.id, wire.value, wire.meta, wire.sizeBytes, encoded);
}

function encodedFromWire({ text, bytes, kind }: NonNullable<WireMessage["encoded"]>): EncodedValue {
  return kind ? reviveEncoded(text, bytes, kind) : { text, bytes };
}

/** A transform's failure inside a worker, as data. */
export interface WireFailure {
  /** The id of the transform (inside the worker's chain) that failed. */
  readonly stage: string;
  readonly fatal: boolean;
  readonly name: string;
  readonly message: string;
  /** The message as that transform received it (e.g. already redacted), for the dead letter. */
  readonly input: WireMessage;
}

export function failureToWire(stage: string, error: unknown, input: Message): WireFailure {
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    stage,
    fatal: error instanceof FatalError,
    name: e.name,
    message: e.message,
    input: toWire(input),
  };
}

/**
 * A transform inside a worker rejected a message. The engine dead-letters `input` (the message as
 * that transform saw it, not as it entered the worker: an earlier stage may have redacted it) under
 * the failing transform's id, with `original` as the error.
 */
export class WorkerStageFailure extends PoisonError {
  readonly stage: string;
  readonly input: Message;
  readonly original: Error;
  constructor(failure: WireFailure) {
    super(`${failure.stage}: ${failure.message}`);
    this.stage = failure.stage;
    this.input = fromWire(failure.input);
    this.original = Object.assign(new Error(failure.message), { name: failure.name });
  }
}

export function failureFromWire(failure: WireFailure): Error {
  if (failure.fatal) return new FatalError(`${failure.stage}: ${failure.message}`);
  return new WorkerStageFailure(failure);
}
