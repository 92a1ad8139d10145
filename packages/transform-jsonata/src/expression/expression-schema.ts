import { z } from "zod";
import { defaultLimits, syntaxErrorOf } from "./compiled-expression.js";

/**
 * A JSONata expression as a config field: a syntax error is a problem at the field itself, so
 * `pipeline validate` reports it at the expression's file:line:column before anything runs.
 */
export const expressionSchema = z.string().superRefine((text, ctx) => {
  if (text.trim() === "") {
    ctx.addIssue({ code: "custom", message: "expected a JSONata expression; found an empty string" });
    return;
  }
  const error = syntaxErrorOf(text);
  if (error) ctx.addIssue({ code: "custom", message: `invalid JSONata expression: ${error.message}` });
});

/** Milliseconds one evaluation may take before that message is dead-lettered. */
export const timeoutSchema = z.int().positive().default(defaultLimits.timeoutMs);
