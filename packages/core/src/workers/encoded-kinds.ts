import type { EncodedValue } from "../contracts/message.js";
import { FatalError } from "../errors/classified-errors.js";

/**
 * Rebuilds an encoded value from its text and a little state. An EncodedValue's `fit` is a
 * function, and functions do not cross threads: a value encoded in a worker thread names its kind
 * and state instead, and the main thread rebuilds `fit` from them.
 */
export type EncodedReviver = (text: string, bytes: number, state: unknown) => EncodedValue;

/** What travels with an encoded value between threads in place of its `fit`. */
export interface EncodedKind {
  readonly kind: string;
  readonly state: unknown;
}

// Global, so two copies of this package in one process (dual install) still share the kinds.
const REVIVERS_KEY = Symbol.for("pipekit.encodedRevivers");
const KIND_KEY = Symbol.for("pipekit.encodedKind");
const shared = globalThis as Record<symbol, Map<string, EncodedReviver> | undefined>;
shared[REVIVERS_KEY] ??= new Map<string, EncodedReviver>();
const revivers = shared[REVIVERS_KEY];

/** Registers how values of `kind` are rebuilt; the module defining the kind calls this when loaded. */
export function defineEncodedKind(kind: string, reviver: EncodedReviver): void {
  const known = revivers.get(kind);
  if (known !== undefined && known !== reviver) {
    throw new Error(`encoded kind "${kind}" is already defined by another module`);
  }
  revivers.set(kind, reviver);
}

/** Marks `encoded` as of `kind` (non-enumerable: JSON and spreads do not see it). */
export function withEncodedKind<T extends EncodedValue>(encoded: T, kind: string, state: unknown): T {
  Object.defineProperty(encoded, KIND_KEY, { value: { kind, state } satisfies EncodedKind });
  return encoded;
}

export function encodedKindOf(encoded: EncodedValue): EncodedKind | undefined {
  return (encoded as unknown as Record<symbol, EncodedKind | undefined>)[KIND_KEY];
}

/** The encoded value of `kind` rebuilt here; fatal when this thread never loaded the kind's module. */
export function reviveEncoded(text: string, bytes: number, kind: EncodedKind): EncodedValue {
  const reviver = revivers.get(kind.kind);
  if (reviver === undefined) {
    throw new FatalError(
      `a worker thread produced values of encoded kind "${kind.kind}", which this thread does not know: import the module that defines it on the main thread too`,
    );
  }
  return withEncodedKind(reviver(text, bytes, kind.state), kind.kind, kind.state);
}
