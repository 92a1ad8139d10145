import type { MeterProvider } from "@opentelemetry/api";
import { Cron } from "croner";
import type { Schedule } from "../service/schedule.js";

/**
 * pipekit_pipeline_schedule_interval_seconds: how often the pipeline is meant to run, so an alert
 * can say "no successful cycle in 3 intervals" without hard-coding each deployment's schedule.
 * A cron schedule reports the gap between its next two runs. Nothing for a one-shot run.
 */
export function observeScheduleInterval(
  meterProvider: MeterProvider,
  pipelineId: string,
  schedule: Schedule,
): void {
  const seconds =
    "intervalSeconds" in schedule
      ? schedule.intervalSeconds
      : "cron" in schedule
        ? cronGapSeconds(schedule.cron)
        : undefined;
  if (seconds === undefined) return;
  meterProvider
    .getMeter("@pipekit/runner")
    .createObservableGauge("pipekit_pipeline_schedule_interval_seconds", {
      description: "The pipeline's schedule interval (cron: the gap between its next two runs)",
      unit: "s",
    })
    .addCallback((result) => result.observe(seconds, { pipeline_id: pipelineId }));
}

function cronGapSeconds(expression: string): number | undefined {
  const cron = new Cron(expression, { paused: true });
  const [a, b] = cron.nextRuns(2);
  cron.stop();
  return a && b ? (b.getTime() - a.getTime()) / 1000 : undefined;
}
