// A plugin kept in the consumer's own project: `plugins: [../dist/shout-plugin.js]` in a pipeline
// file makes `type: shout` available to the installed `pipeline` CLI, validated like a built-in.
import { defineComponent, deriveMessage, type Message } from "@pipekit/core";
import { z } from "zod";

export const shoutTransform = defineComponent({
  kind: "transform",
  type: "shout",
  description: "Upper-cases one string field of each message's value and adds an exclamation mark",
  configSchema: z.strictObject({ field: z.string().min(1) }),
  create: (config) => ({
    type: "shout",
    transform(message: Message) {
      const value = { ...(message.value as Record<string, unknown>) };
      const current = value[config.field];
      if (typeof current === "string") value[config.field] = `${current.toUpperCase()}!`;
      return deriveMessage(message, value);
    },
  }),
});

export default shoutTransform;
