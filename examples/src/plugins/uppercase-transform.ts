// A custom transform as a plugin: list this module under `plugins:` in a pipeline file and
// `type: uppercase` becomes available, validated and documented like a built-in.
import { defineComponent, deriveMessage, type Message } from "@pipekit/core";
import { z } from "zod";

export const uppercaseTransform = defineComponent({
  kind: "transform",
  type: "uppercase",
  description: "Upper-cases the listed string fields of each message's value",
  configSchema: z.strictObject({ fields: z.array(z.string().min(1)).min(1) }),
  create: (config) => ({
    type: "uppercase",
    transform(message: Message) {
      const value = { ...(message.value as Record<string, unknown>) };
      for (const field of config.fields) {
        const current = value[field];
        if (typeof current === "string") value[field] = current.toUpperCase();
      }
      return deriveMessage(message, value);
    },
  }),
});

export default uppercaseTransform;
