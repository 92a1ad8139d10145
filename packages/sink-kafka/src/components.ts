import type { ComponentDefinition } from "@pipekit/core";
import type { ComponentKind } from "@pipekit/core/advanced";
import { kafkaDeadLetterSinkComponent, kafkaSinkComponent } from "./component/kafka-sink-component.js";

/** What this package adds to a registry: runners register this list instead of scanning exports. */
export const components: readonly ComponentDefinition<ComponentKind, never>[] = [
  kafkaSinkComponent,
  kafkaDeadLetterSinkComponent,
] as unknown as ComponentDefinition<ComponentKind, never>[];
