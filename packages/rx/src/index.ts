/**
 * @pipekit/rx: rxjs in and out of pipekit, with the AsyncIterable contracts of @pipekit/core kept.
 * `fromObservable` makes a pulled Source of an Observable, `toObservable` turns a Source (or a
 * pipeline's outcomes) into Observables with demand from the subscriber, `rxTransform` runs an
 * operator per message. The Databricks source's Observables are at `@pipekit/rx/databricks`.
 */
export {
  type FromObservableOptions,
  fromObservable,
  type ObservableFactory,
  type ObservableSource,
} from "./from-observable/from-observable.js";
export { ObservableOverflowError, type OverflowPolicy } from "./from-observable/overflow-buffer.js";
export {
  type CommittedPosition,
  type ObservedPipeline,
  observePipeline,
  type SinkDelivery,
} from "./to-observable/pipeline-outcomes.js";
export {
  type SourceDelivery,
  type SourceObservableOptions,
  sourceObservable,
} from "./to-observable/source-observable.js";
export { toObservable } from "./to-observable/to-observable.js";
export { type RxTransformOptions, rxTransform } from "./transform/rx-transform.js";
