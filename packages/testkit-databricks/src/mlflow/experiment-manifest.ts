import type { SeedManifest } from "../seed/manifest.js";
import { isMalformed, toolCallsOf } from "./trace-data.js";
import { lateTraces, type TraceInfoV3 } from "./traces.js";

/** What the manifest says of the experiment traces served over REST (ids per experiment). */
export function experimentManifest(
  traces: readonly TraceInfoV3[],
): NonNullable<SeedManifest["experimentTraces"]> {
  return traces.map((t) => ({
    id: t.trace_id,
    experimentId: t.trace_location.mlflow_experiment.experiment_id,
    requestTime: Date.parse(t.request_time),
    toolCalls: toolCallsOf(t),
    malformed: isMalformed(t),
    late: false,
  }));
}

/**
 * Adds `count` traces to an experiment ("mlflow-experiment:<id>") that started `minutesAgo` before
 * `now` but are searchable only from now on (late arrivals), in the list the REST routes serve.
 */
export function insertLateTraces(
  traces: TraceInfoV3[],
  manifest: SeedManifest,
  seed: number,
  count: number,
  options: { table: string; now: number; minutesAgo?: number },
): { id: string; requestTime: number }[] {
  const experimentId = options.table.slice("mlflow-experiment:".length);
  const agent = manifest.agents.find((a) => a.experimentId === experimentId);
  if (!agent) throw new Error(`insertLateRows: no experiment "${experimentId}"`);
  const start = options.now - (options.minutesAgo ?? 20) * 60_000;
  const late = lateTraces(seed, agent, count, start, String(traces.length));
  traces.push(...late);
  traces.sort((a, b) => Date.parse(b.request_time) - Date.parse(a.request_time));
  const entries = experimentManifest(late).map((e) => ({ ...e, late: true }));
  manifest.experimentTraces = [...(manifest.experimentTraces ?? []), ...entries];
  return late.map((t) => ({ id: t.trace_id, requestTime: Date.parse(t.request_time) }));
}
