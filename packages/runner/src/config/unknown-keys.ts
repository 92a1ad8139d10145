import { closest, distance } from "fastest-levenshtein";
import type { z } from "zod";
import type { ConfigPath } from "./yaml-positions.js";

/** The internals of zod 4 schemas that key checking needs (stable across zod 4 minors). */
interface ZodDefLike {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly shape?: Record<string, z.ZodType>;
  readonly element?: z.ZodType;
  readonly catchall?: z.ZodType;
}

function defOf(schema: z.ZodType): ZodDefLike {
  return (schema as unknown as { _zod: { def: ZodDefLike } })._zod.def;
}

/** Looks through wrappers (optional, default, pipe…) to the schema that decides the shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let i = 0; i < 20; i++) {
    const def = defOf(current);
    if (def.innerType) current = def.innerType;
    else if (def.type === "pipe" && def.in) current = def.in;
    else return current;
  }
  return current;
}

export interface UnknownKey {
  readonly path: ConfigPath;
  readonly key: string;
  readonly suggestion?: string;
}

/**
 * Keys present in `value` that the schema does not declare. Zod's default objects silently drop
 * such keys, which turns a typo (`linger_msec`) into a setting that is quietly ignored, so every
 * level of every component schema is compared with its declared shape. Objects declared open
 * (z.looseObject, a catchall) are left alone.
 */
export function findUnknownKeys(
  schema: z.ZodType,
  value: unknown,
  path: ConfigPath = [],
  ignore: readonly string[] = [],
): UnknownKey[] {
  const def = defOf(unwrap(schema));
  if (def.type === "object" && def.shape && isPlainObject(value)) {
    const catchall = def.catchall ? defOf(def.catchall).type : undefined;
    const open = catchall !== undefined && catchall !== "never";
    const known = Object.keys(def.shape);
    const found: UnknownKey[] = [];
    for (const [key, child] of Object.entries(value)) {
      const childSchema = def.shape[key];
      if (childSchema) found.push(...findUnknownKeys(childSchema, child, [...path, key]));
      else if (!open && !ignore.includes(key))
        found.push({ path: [...path, key], key, suggestion: suggest(key, known) });
    }
    return found;
  }
  if (def.type === "array" && def.element && Array.isArray(value)) {
    const element = def.element;
    return value.flatMap((item, index) => findUnknownKeys(element, item, [...path, index]));
  }
  return [];
}

/** The closest known name when it is plausibly a typo of `key`. */
export function suggest(key: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const best = closest(key, [...known]);
  const limit = Math.max(2, Math.floor(key.length / 3));
  return distance(key.toLowerCase(), best.toLowerCase()) <= limit ? best : undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
