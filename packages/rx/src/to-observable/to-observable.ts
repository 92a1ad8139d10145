import type { PipelineOptions, Source } from "@pipekit/core";
import type { Observable } from "rxjs";
import { type ObservedPipeline, observePipeline } from "./pipeline-outcomes.js";
import { type SourceDelivery, type SourceObservableOptions, sourceObservable } from "./source-observable.js";

/**
 * rxjs out of pipekit. For a source: one pass as an Observable of deliveries, read as the
 * subscriber acknowledges (see {@link sourceObservable}). For a pipeline's options: the pipeline
 * with its deliveries and dead letters as streams (see {@link observePipeline}).
 */
export function toObservable<T>(
  source: Source<T>,
  options?: SourceObservableOptions,
): Observable<SourceDelivery<T>>;
export function toObservable(pipeline: PipelineOptions): ObservedPipeline;
export function toObservable<T>(
  target: Source<T> | PipelineOptions,
  options?: SourceObservableOptions,
): Observable<SourceDelivery<T>> | ObservedPipeline {
  return isPipelineOptions(target) ? observePipeline(target) : sourceObservable(target, options);
}

function isPipelineOptions(value: Source<unknown> | PipelineOptions): value is PipelineOptions {
  return "sinks" in value && Array.isArray(value.sinks) && "source" in value;
}
