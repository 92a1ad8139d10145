import type { ComponentDefinition } from "@pipekit/core";
import type { ComponentKind } from "@pipekit/core/advanced";
import { filterComponent } from "./transforms/filter-transform.js";
import { mappingComponent } from "./transforms/mapping-transform.js";

/** The components of this package, registered by the runner like every component package's. */
export const components: readonly ComponentDefinition<ComponentKind, never>[] = [
  mappingComponent,
  filterComponent,
] as unknown as ComponentDefinition<ComponentKind, never>[];
