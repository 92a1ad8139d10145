import { z } from "zod";

/**
 * The runner's YAML spells the engine's settings in snake_case (like Vector and Redpanda Connect);
 * core declares them once, in camelCase, as zod schemas (`@pipekit/core/advanced`). The YAML schema
 * is derived from core's by renaming keys, so a setting added to core appears in YAML, in
 * `pipeline validate` and in the JSON schema without a second declaration.
 */

/** "maxCount" → "max_count" at the type level. */
export type SnakeCase<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeCase<Tail>}`
  : S;

type SnakeShape<Shape extends z.ZodRawShape> = { [K in keyof Shape as SnakeCase<K & string>]: Shape[K] };

export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The same strict object schema with snake_case keys (field schemas and descriptions shared). */
export function snakeCaseObject<Shape extends z.ZodRawShape>(
  schema: z.ZodObject<Shape>,
): z.ZodObject<SnakeShape<Shape>, z.core.$strict> {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([key, field]) => [snakeCase(key), field]),
  );
  return z.strictObject(shape) as unknown as z.ZodObject<SnakeShape<Shape>, z.core.$strict>;
}

/** One level of snake_case keys back to core's camelCase (the inverse of snakeCaseObject's renaming). */
export function camelCaseKeys<T>(value: Readonly<Record<string, unknown>>): T {
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [camelCase(key), v])) as T;
}
