import type { TraceRow } from "./normalise-trace.js";
import { asRecord, asString, parseStringMap } from "./values.js";

/**
 * The serving endpoint a row or trace names, for tables shared by many agents: AI Gateway (Beta)
 * `endpoint_name`, v2 span tables' `service_name`, v1 spans' `resource.attributes['service.name']`,
 * the unified view's trace metadata `mlflow.databricks.modelServingEndpointName`.
 */
export function endpointOfUnit(unit: Record<string, unknown> | TraceRow): string | undefined {
  if (Array.isArray((unit as TraceRow).spans) && !("request_time" in unit)) {
    const spans = (unit as TraceRow).spans;
    for (const span of spans) {
      const named = asString(span.service_name) || serviceOfResource(span.resource);
      if (named) return named;
    }
    return undefined;
  }
  const row = unit as Record<string, unknown>;
  return (
    asString(row.endpoint_name) ||
    parseStringMap(row.trace_metadata)["mlflow.databricks.modelServingEndpointName"] ||
    undefined
  );
}

function serviceOfResource(resource: unknown): string | undefined {
  const r = asRecord(typeof resource === "string" ? safeParse(resource) : resource);
  return parseStringMap(r?.attributes)["service.name"] || undefined;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
