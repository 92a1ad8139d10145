import type { Counter } from "@opentelemetry/api";
import { type ComponentContext, deriveMessage, type Message, type Transform } from "@pipekit/core";
import type { RedactConfigInput } from "../config/redact-config.js";
import { createRedactor } from "../redactor/create-redactor.js";
import { sizeDelta } from "./size-delta.js";

export const REDACTIONS_METRIC = "redactions_total";

/**
 * The pipeline transform: redacts `message.value`, records the report as `meta.redactions` and
 * counts `redactions_total{detector}`. Neither carries a matched value.
 */
export function redactTransform(config: RedactConfigInput = {}): Transform {
  const redactor = createRedactor(config);
  const counters = new WeakMap<ComponentContext["meter"], Counter>();
  const counterFor = (ctx: ComponentContext): Counter => {
    let counter = counters.get(ctx.meter);
    if (!counter) {
      counter = ctx.meter.createCounter(REDACTIONS_METRIC, {
        description: "Values redacted, by detector",
        unit: "{redaction}",
      });
      counters.set(ctx.meter, counter);
    }
    return counter;
  };
  return {
    type: "redact",
    async open(ctx) {
      counterFor(ctx);
    },
    transform(message: Message, ctx: ComponentContext) {
      const { value, report } = redactor.redactValue(message.value);
      if (report.total > 0) {
        const counter = counterFor(ctx);
        for (const [detector, count] of Object.entries(report.byDetector)) counter.add(count, { detector });
      }
      return deriveMessage(message, value, {
        meta: { redactions: report },
        sizeBytes:
          value === message.value
            ? message.sizeBytes
            : Math.max(0, message.sizeBytes + sizeDelta(message.value, value)),
      });
    },
  };
}
