import { defineComponent, type Message, PoisonError, type Transform } from "@pipekit/core";
import { z } from "zod";
import { CompiledExpression } from "../expression/compiled-expression.js";
import { expressionSchema, timeoutSchema } from "../expression/expression-schema.js";

export interface FilterOptions {
  readonly timeoutMs?: number;
}

/**
 * Keeps the messages for which the JSONata condition is true (`$id` and `$meta` bound), e.g.
 * `status = "ok" and durationMs > 100`. False or nothing selected drops the message (it counts as
 * delivered); any other result, or an evaluation error, dead-letters it with the reason, since a
 * condition that yields a string or a number is more likely a mistake than a choice.
 */
export function jsonataFilter(condition: string, options: FilterOptions = {}): Transform {
  const compiled = new CompiledExpression(condition, "filter", options.timeoutMs);
  return {
    type: "filter",
    async transform(message: Message) {
      const result = await compiled.evaluate(message);
      if (result === true) return message;
      if (result === false || result === undefined) return null;
      throw new PoisonError(
        `filter: the condition gave ${describe(result)}, expected true or false (wrap it in $boolean() to use JSONata's truthiness)`,
      );
    },
  };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
}

export const filterComponent = defineComponent({
  kind: "transform",
  type: "filter",
  description:
    "Keeps messages whose JSONata condition is true ($id, $meta bound); false drops them, other results dead-letter them",
  configSchema: z.strictObject({ condition: expressionSchema, timeout_ms: timeoutSchema }),
  create: (config) => jsonataFilter(config.condition, { timeoutMs: config.timeout_ms }),
});
