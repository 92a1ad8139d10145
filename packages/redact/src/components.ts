import type { ComponentDefinition } from "@pipekit/core";
import type { ComponentKind } from "@pipekit/core/advanced";
import { redactComponent } from "./transform/redact-component.js";

/** What this package adds to a registry: runners register this list instead of scanning exports. */
export const components: readonly ComponentDefinition<ComponentKind, never>[] = [
  redactComponent,
] as unknown as ComponentDefinition<ComponentKind, never>[];
