import type { ComponentContext } from "../contracts/context.js";
import type { Message } from "../contracts/message.js";
import { deriveMessage } from "../contracts/message.js";
import type { Transform, TransformResult } from "../contracts/transform.js";

/**
 * A transform from a function of the message. Return a Message (see deriveMessage), an array, or
 * null/undefined to drop it.
 */
export function functionTransform<I = unknown, O = unknown>(
  fn: (message: Message<I>, ctx: ComponentContext) => TransformResult<O> | Promise<TransformResult<O>>,
  type = "function",
): Transform<I, O> {
  return { type, transform: fn };
}

/**
 * Maps each value; the output keeps the input's id and meta. Without `sizeOf` the size follows
 * deriveMessage's rules (exact for strings and buffers, else the input's size): pass `sizeOf` when
 * the function changes the value's size a lot.
 */
export function mapTransform<I = unknown, O = unknown>(
  fn: (value: I, message: Message<I>) => O,
  options: { type?: string; sizeOf?: (value: O, input: Message<I>) => number } = {},
): Transform<I, O> {
  const sizeOf = options.sizeOf;
  return {
    type: options.type ?? "map",
    transform: (message) => {
      const value = fn(message.value, message);
      return sizeOf
        ? deriveMessage(message, value, { sizeBytes: sizeOf(value, message) })
        : deriveMessage(message, value);
    },
  };
}

/** Keeps the messages whose predicate is true. */
export function filterTransform<T = unknown>(
  predicate: (value: T, message: Message<T>) => boolean,
  type = "filter",
): Transform<T, T> {
  return { type, transform: (message) => (predicate(message.value, message) ? message : null) };
}
