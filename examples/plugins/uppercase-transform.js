// A custom transform as a plugin: list this module under `plugins:` in a pipeline file and
// `type: uppercase` becomes available, validated and documented like a built-in.
//
// Plain JavaScript (ESM), so `pipeline` loads it on every supported Node version as it is. A plugin
// written in TypeScript loads as .ts only where Node strips types (22.18+) or through a loader
// (`node --import tsx`); elsewhere compile it and list the .js. Its imports (@pipekit/core, zod)
// resolve from the plugin's own folder, so they must be installed in the project it lives in.
import { defineComponent, deriveMessage } from "@pipekit/core";
import { z } from "zod";

export const uppercaseTransform = defineComponent({
  kind: "transform",
  type: "uppercase",
  description: "Upper-cases the listed string fields of each message's value",
  configSchema: z.strictObject({ fields: z.array(z.string().min(1)).min(1) }),
  create: (config) => ({
    type: "uppercase",
    /** @param {import("@pipekit/core").Message} message */
    transform(message) {
      const value = { .../** @type {Record<string, unknown>} */ (message.value) };
      for (const field of config.fields) {
        const current = value[field];
        if (typeof current === "string") value[field] = current.toUpperCase();
      }
      return deriveMessage(message, value);
    },
  }),
});

export default uppercaseTransform;
