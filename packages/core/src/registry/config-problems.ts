import { closest, distance } from "fastest-levenshtein";
import type { z } from "zod";
import { ConfigError } from "../errors/classified-errors.js";

export type ConfigPath = readonly (string | number)[];

/**
 * One thing wrong with a config, where it is. `at` says whether it points at a key (an unknown or
 * misplaced key) or at a value, so a YAML front end can put the caret on the right token.
 */
export interface ConfigProblem {
  readonly path: ConfigPath;
  readonly message: string;
  readonly at: "key" | "value";
  /**
   * For an unknown key that is a known camelCase key spelled in snake_case (`max_count`): that key
   * (also suggested in the message), so a caller can say the casing is what is wrong.
   */
  readonly camelCaseOf?: string;
}

export interface CheckOptions {
  /** Keys of the value that are not the schema's (e.g. `type`, or the engine's own sink keys). */
  readonly ignoreKeys?: readonly string[];
  /**
   * Dotted paths under the checked value whose values are secrets (a component's `secretFields`,
   * e.g. "sasl.password"): a problem there never quotes the value.
   */
  readonly secretFields?: readonly string[];
  /** Further secret paths, absolute (the runner knows those of variables and files). */
  readonly isSecret?: (path: ConfigPath) => boolean;
}

/**
 * Every problem of `value` against `schema`, located under `prefix`: unknown keys at every depth
 * (with the closest known name), then what zod finds. Zod's default objects silently drop unknown
 * keys, which turns a typo (`linger_msec`) into a setting quietly ignored; and zod reports an unknown
 * key of a strict object or an enum-keyed record only as one issue at the parent, without a hint.
 * The one place config is judged: the registry, the runner's own keys and library factories use it.
 */
export function checkConfig(
  schema: z.ZodType,
  value: unknown,
  prefix: ConfigPath = [],
  options: CheckOptions = {},
): { readonly data?: unknown; readonly problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = findUnknownKeys(schema, value, prefix, options.ignoreKeys).map((u) => ({
    path: u.path,
    message: `unknown key "${u.key}"${u.suggestion ? `; did you mean "${u.suggestion}"?` : ""}`,
    at: "key" as const,
    // (An unknown key is never its own suggestion: equal to its camelCase form means it had '_'.)
    ...(u.suggestion === camelCase(u.key) ? { camelCaseOf: u.suggestion } : {}),
  }));
  const own =
    options.ignoreKeys?.length && isPlainObject(value) ? withoutKeys(value, options.ignoreKeys) : value;
  const result = schema.safeParse(own);
  if (result.success) return problems.length === 0 ? { data: result.data, problems } : { problems };
  const reported = new Set(problems.map((p) => JSON.stringify(p.path)));
  for (const issue of result.error.issues) {
    const relative = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    const path = [...prefix, ...relative];
    if (issue.code === "unrecognized_keys") {
      // Found above with a hint, unless the walk could not see the object (then say it plainly).
      for (const key of issue.keys) {
        if (!reported.has(JSON.stringify([...path, key])))
          problems.push({ path: [...path, key], message: `unknown key "${key}"`, at: "key" });
      }
      continue;
    }
    const found = valueAt(own, relative);
    const secret = options.secretFields?.includes(relative.join(".")) || options.isSecret?.(path) === true;
    const shown = secret ? "***" : describeValue(found);
    const message =
      issue.code === "invalid_type"
        ? found === undefined
          ? `missing required field "${String(path[path.length - 1])}" (expected ${issue.expected})`
          : `expected ${issue.expected}, found ${shown}`
        : found === undefined || isPlainObject(found)
          ? issue.message
          : `${issue.message}; found ${shown}`;
    problems.push({ path, message, at: "value" });
  }
  return { problems };
}

/** The internals of zod 4 schemas that key checking needs (stable across zod 4 minors). */
interface ZodDefLike {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly shape?: Record<string, z.ZodType>;
  readonly element?: z.ZodType;
  readonly catchall?: z.ZodType;
  readonly keyType?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly entries?: Record<string, string | number>;
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

interface UnknownKey {
  readonly path: ConfigPath;
  readonly key: string;
  readonly suggestion?: string;
}

/** Keys present in `value` that the schema does not declare; open objects (catchall) are left alone. */
function findUnknownKeys(
  schema: z.ZodType,
  value: unknown,
  path: ConfigPath,
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
  if (def.type === "record" && def.valueType && isPlainObject(value)) {
    // A record keyed by an enum (e.g. redact's `detectors`) has a known key set, like an object.
    const keyDef = def.keyType ? defOf(unwrap(def.keyType)) : undefined;
    const known =
      keyDef?.type === "enum" && keyDef.entries ? Object.values(keyDef.entries).map(String) : undefined;
    const valueType = def.valueType;
    return Object.entries(value).flatMap(([key, child]) =>
      known && !known.includes(key)
        ? [{ path: [...path, key], key, suggestion: suggest(key, known) }]
        : findUnknownKeys(valueType, child, [...path, key]),
    );
  }
  if (def.type === "array" && def.element && Array.isArray(value)) {
    const element = def.element;
    return value.flatMap((item, index) => findUnknownKeys(element, item, [...path, index]));
  }
  return [];
}

/** The closest known name when it is plausibly a typo of `key` (case differences count as one). */
export function suggest(key: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  // A snake_case spelling of a camelCase key (`max_count` for `maxCount`) means that key.
  const camel = camelCase(key);
  if (camel !== key && known.includes(camel)) return camel;
  const exactButCase = known.find((k) => k.toLowerCase() === key.toLowerCase());
  if (exactButCase) return exactButCase;
  const best = closest(
    key.toLowerCase(),
    known.map((k) => k.toLowerCase()),
  );
  const match = known.find((k) => k.toLowerCase() === best)!;
  const limit = Math.max(2, Math.floor(key.length / 3));
  return distance(key.toLowerCase(), best) <= limit ? match : undefined;
}

/** `max_count` → `maxCount`. */
function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function withoutKeys(value: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}

/** The value at `path` inside nested objects and arrays; undefined where the path leads nowhere. */
export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** How a found value is named in messages: short, typed, never a whole structure. */
function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  return `${typeof value} ${String(value)}`;
}

/**
 * `value` checked by `schema` (see checkConfig), for library entry points: the parsed config, or a
 * ConfigError listing each problem as `path: message` (never a secret's value).
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  prefix: ConfigPath = [],
  options: CheckOptions = {},
): z.output<S> {
  const { data, problems } = checkConfig(schema, value ?? {}, prefix, options);
  if (problems.length === 0) return data as z.output<S>;
  throw configError(what, problems);
}

/** "Invalid <what>:" and a `path: message` line per problem, the problems attached. */
export function configError(what: string, problems: readonly ConfigProblem[]): ConfigError {
  const lines = problems.map((p) => `  ${formatPath(p.path)}: ${p.message}`).join("\n");
  return new ConfigError(`Invalid ${what}:\n${lines}`, problems);
}

/** `pipeline.transforms[1].type` style rendering of a config path. */
export function formatPath(path: ConfigPath): string {
  return (
    path.reduce<string>((out, p) => (typeof p === "number" ? `${out}[${p}]` : out ? `${out}.${p}` : p), "") ||
    "(root)"
  );
}
