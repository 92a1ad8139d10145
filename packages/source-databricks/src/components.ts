import type { ComponentDefinition, ComponentKind } from "@pipekit/core";
import { databricksSourceComponent } from "./component.js";

/** What this package adds to a registry: runners register this list instead of scanning exports. */
export const components: readonly ComponentDefinition<ComponentKind, never>[] = [
  databricksSourceComponent,
] as unknown as ComponentDefinition<ComponentKind, never>[];
