import { defineComponent, deriveMessage, type Message, PoisonError, type Transform } from "@pipekit/core";
import { z } from "zod";
import { CompiledExpression } from "../expression/compiled-expression.js";
import { expressionSchema, timeoutSchema } from "../expression/expression-schema.js";

export interface MappingOptions {
  readonly timeoutMs?: number;
}

/**
 * Replaces each message's value by what the JSONata expression makes of it (`$id` and `$meta` are
 * bound), e.g. `$merge([$, {"total": qty * unitPrice}])` to add a field. The id, meta and
 * acknowledgement stay the input's. An expression that fails on a message, or selects nothing,
 * dead-letters that message with the reason; the pipeline goes on.
 */
export function jsonataMapping(expression: string, options: MappingOptions = {}): Transform {
  const compiled = new CompiledExpression(expression, "mapping", options.timeoutMs);
  return {
    type: "mapping",
    async transform(message: Message) {
      const value = await compiled.evaluate(message);
      if (value === undefined) {
        throw new PoisonError(
          "mapping: the expression selected nothing for this message (use a `filter` transform to drop messages)",
        );
      }
      return deriveMessage(message, value, { sizeBytes: sizeOf(value, message.sizeBytes) });
    },
  };
}

/** The output's size: mappings often grow or shrink a value, so it is measured, not inherited. */
function sizeOf(value: unknown, fallback: number): number {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? "");
  } catch {
    return fallback;
  }
}

export const mappingComponent = defineComponent({
  kind: "transform",
  type: "mapping",
  description:
    "Replaces each value by a JSONata expression's result ($id, $meta bound); a failing expression dead-letters that message",
  configSchema: z.strictObject({ expression: expressionSchema, timeout_ms: timeoutSchema }),
  create: (config) => jsonataMapping(config.expression, { timeoutMs: config.timeout_ms }),
});
