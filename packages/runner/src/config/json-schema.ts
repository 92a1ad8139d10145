import type { ComponentRegistry } from "@pipekit/core";
import { batchSettingsSchema, type ComponentKind, retrySettingsSchema } from "@pipekit/core/advanced";
import { z } from "zod";
import { pipelineConfigSchema } from "./pipeline-config-schema.js";

type JsonSchema = Record<string, unknown>;

const toJson = (schema: z.ZodType): JsonSchema =>
  z.toJSONSchema(schema, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) as JsonSchema;

/**
 * JSON Schema of a pipeline file for editor completion: the runner's own keys plus, for `source`,
 * `transforms[]` and `sinks[]`, one alternative per registered component type (selected by `type`).
 */
export function pipelineJsonSchema(registry: ComponentRegistry): JsonSchema {
  const root = toJson(pipelineConfigSchema);
  const properties = (root.properties ?? {}) as Record<string, JsonSchema>;
  const engineSinkKeys = {
    id: { type: "string", description: "Unique sink id (default: the type)" },
    batch: strip(toJson(batchSettingsSchema)),
    retry: strip(toJson(retrySettingsSchema)),
    concurrency: { type: "integer", minimum: 1 },
  };
  properties.source = alternatives(registry, "source", {});
  properties.transforms = { type: "array", items: alternatives(registry, "transform", {}) };
  properties.sinks = { type: "array", minItems: 1, items: alternatives(registry, "sink", engineSinkKeys) };
  return { ...root, title: "pipekit pipeline", properties };
}

function alternatives(
  registry: ComponentRegistry,
  kind: ComponentKind,
  extra: Record<string, JsonSchema>,
): JsonSchema {
  const options = registry.list(kind).map((definition) => {
    const own = strip(toJson(definition.configSchema as z.ZodType));
    const ownProps = (own.properties ?? {}) as Record<string, JsonSchema>;
    return {
      ...own,
      description: definition.description,
      properties: { type: { const: definition.type }, ...extra, ...ownProps },
      required: ["type", ...((own.required as string[] | undefined) ?? [])],
      additionalProperties: false,
    };
  });
  return options.length > 0
    ? { oneOf: options }
    : { type: "object", properties: { type: { type: "string" } }, required: ["type"] };
}

function strip(schema: JsonSchema): JsonSchema {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}
