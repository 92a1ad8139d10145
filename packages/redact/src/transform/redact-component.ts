import { defineComponent } from "@pipekit/core";
import { REDACT_SECRET_FIELDS, redactConfigSchema } from "../config/redact-config.js";
import { redactTransform } from "./redact-transform.js";

/** `type: redact` in pipeline YAML. */
export const redactComponent = defineComponent({
  kind: "transform",
  type: "redact",
  description:
    "Redacts PII and secrets (validated detectors, key-name blocking, JSON inside strings) with mask, keyed HMAC pseudonyms or removal.",
  configSchema: redactConfigSchema,
  secretFields: REDACT_SECRET_FIELDS,
  create: (config) => redactTransform(config),
});
