/**
 * @pipekit/rx/databricks: the Databricks source as Observables. A subpath of its own, so importing
 * @pipekit/rx never loads the Databricks driver; @pipekit/source-databricks is an optional peer.
 */
import type { AgentExecution } from "@pipekit/agent-execution";
import {
  createDatabricksSource,
  type DatabricksSourceConfigInput,
  type DatabricksSourceOptions,
} from "@pipekit/source-databricks";
import { map, type Observable } from "rxjs";
import {
  type SourceDelivery,
  type SourceObservableOptions,
  sourceObservable,
} from "../to-observable/source-observable.js";

export interface DatabricksObservableOptions extends Omit<SourceObservableOptions, "autoAck"> {
  /** The source's own options (clock, table filter…). */
  readonly source?: DatabricksSourceOptions;
}

/**
 * One polling pass over the workspace's agent tables as deliveries: the source reads a result chunk
 * (`chunkRows` rows) only while what was emitted and not yet acknowledged and committed is within
 * `budget`, and at most `tableConcurrency` tables at once. Acknowledge each delivery when done with
 * it; checkpoints (the delivered ids of each table) go to `checkpointStore`, so a later pass with
 * the same store skips what was acknowledged. Unsubscribing stops the reads and closes the source.
 */
export function databricksDeliveries$(
  config: DatabricksSourceConfigInput,
  options: DatabricksObservableOptions = {},
): Observable<SourceDelivery<AgentExecution>> {
  const { source: sourceOptions, ...rest } = options;
  return sourceObservable(createDatabricksSource(config, sourceOptions), {
    componentId: "databricks",
    ...rest,
  });
}

/**
 * The executions of one pass, for connectors that want only the stream: each is acknowledged once
 * the subscriber's `next` returned, so the source reads its next chunk only after the previous
 * one was handed on. A subscriber with asynchronous work should use {@link databricksDeliveries$}
 * and acknowledge when that work is done, so the budget covers it too.
 */
export function databricksExecutions$(
  config: DatabricksSourceConfigInput,
  options: DatabricksObservableOptions = {},
): Observable<AgentExecution> {
  const { source: sourceOptions, ...rest } = options;
  return sourceObservable(createDatabricksSource(config, sourceOptions), {
    componentId: "databricks",
    ...rest,
    autoAck: true,
  }).pipe(map((delivery) => delivery.message.value));
}
