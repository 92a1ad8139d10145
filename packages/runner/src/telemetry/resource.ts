import {
  detectResources,
  envDetector,
  type Resource,
  resourceFromAttributes,
} from "@opentelemetry/resources";
import type { TelemetrySettings } from "./telemetry-config.js";

/**
 * The process's resource: service.name/version (never `unknown_service:node`), the file's
 * attributes, then OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME over them (env wins).
 */
export function telemetryResource(settings: TelemetrySettings): Resource {
  const own = resourceFromAttributes({
    ...settings.resourceAttributes,
    "service.name": settings.serviceName,
    "service.version": settings.serviceVersion,
  });
  const fromEnv = detectResources({ detectors: [envDetector] });
  // The env detector's service.name is OTEL_SERVICE_NAME, already in settings.serviceName.
  return own.merge(fromEnv).merge(resourceFromAttributes({ "service.name": settings.serviceName }));
}
