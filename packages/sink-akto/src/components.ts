import type { ComponentDefinition } from "@pipekit/core";
import type { ComponentKind } from "@pipekit/core/advanced";
import { aktoHttpSinkComponent } from "./http-sink/component.js";
import { aktoMappingComponent } from "./mapping/akto-mapping-component.js";

/** What this package adds to a registry: runners register this list instead of scanning exports. */
export const components: readonly ComponentDefinition<ComponentKind, never>[] = [
  aktoMappingComponent,
  aktoHttpSinkComponent,
] as unknown as ComponentDefinition<ComponentKind, never>[];
