import { resolve as resolvePath } from "node:path";
import type { ComponentRegistry } from "@pipekit/core";
import { stringify } from "yaml";
import { buildPipeline } from "../build/build-pipeline.js";
import { formatIssue } from "../config/config-issue.js";
import { pipelineJsonSchema } from "../config/json-schema.js";
import { prepareConfig, type ValidationResult } from "../config/validate-config.js";
import { ProgressDisplay } from "../progress/progress-display.js";
import { ProgressTracker } from "../progress/progress-tracker.js";
import { type ReplayReport, replayDeadLetters } from "../replay/replay-dead-letters.js";
import { EXIT_CODES } from "../service/exit-codes.js";
import { createRunnerLogger } from "../service/logger.js";
import { PipelineService, type ServiceOutcome } from "../service/pipeline-service.js";
import { failureLines, oneShotSummaryLines } from "../service/run-summary.js";
import { type Schedule, toSchedule } from "../service/schedule.js";
import { installSignalHandlers } from "../service/signals.js";
import { startProcessTelemetry } from "../telemetry/process-telemetry.js";
import { observeScheduleInterval } from "../telemetry/schedule-metric.js";
import type { ServiceIdentity } from "../telemetry/telemetry-config.js";

/** Where command output goes; tests and embedding programs pass their own. */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly registry: ComponentRegistry;
}

function reportIssues(result: ValidationResult, io: CommandIo): void {
  for (const issue of result.issues) io.stderr.write(`${formatIssue(issue)}\n`);
  io.stderr.write(`${result.issues.length} problem${result.issues.length === 1 ? "" : "s"} found\n`);
}

export async function validateCommand(
  file: string,
  options: { print?: boolean },
  io: CommandIo,
): Promise<number> {
  const result = await prepareConfig(file, { registry: io.registry, env: io.env });
  if (!result.pipeline) {
    reportIssues(result, io);
    return 1;
  }
  const { pipeline } = result;
  io.stdout.write(
    `OK ${file}: pipeline "${pipeline.config.id}": source ${pipeline.source.type}, ${pipeline.transforms.length} transform(s) [${pipeline.transforms.map((t) => t.type).join(", ")}], sinks [${pipeline.sinks.map((s) => `${s.id}:${s.type}`).join(", ")}]\n`,
  );
  if (options.print) io.stdout.write(stringify(result.secrets.scrubData(result.loaded.data)));
  return 0;
}

export async function testCommand(file: string, io: CommandIo): Promise<number> {
  const result = await prepareConfig(file, { registry: io.registry, env: io.env });
  if (!result.pipeline) {
    reportIssues(result, io);
    return 1;
  }
  const logger = createRunnerLogger({ level: "warn", secrets: result.secrets, destination: process.stderr });
  // Loaded on demand: its diff printer (jest-diff) costs every other command ~10 MB of RSS.
  const { runConfigTests } = await import("../testing/run-config-tests.js");
  const results = await runConfigTests(result.pipeline, logger);
  if (results.length === 0) {
    io.stdout.write(`${file}: no tests (add a \`tests:\` list beside the pipeline)\n`);
    return 0;
  }
  for (const r of results) {
    io.stdout.write(`${r.passed ? "PASS" : "FAIL"} ${r.name}\n`);
    for (const failure of r.failures) {
      io.stdout.write(`${result.secrets.scrubText(failure).replace(/^/gm, "    ")}\n`);
    }
  }
  const failed = results.filter((r) => !r.passed).length;
  io.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}

/**
 * `pipeline replay`: re-sends the dead letters of `deadLetters` (default: the pipeline's dead-letter
 * file) through the pipeline as it is configured now. Exit 0 when everything went (or was already
 * replayed), 1 when something was refused again, 3 when a destination was unavailable.
 */
export async function replayCommand(
  file: string,
  deadLetters: string | undefined,
  io: CommandIo,
): Promise<number> {
  const result = await prepareConfig(file, { registry: io.registry, env: io.env });
  if (!result.pipeline) {
    reportIssues(result, io);
    return EXIT_CODES.config;
  }
  const { pipeline } = result;
  const target =
    deadLetters ?? resolvePath(pipeline.baseDir, pipeline.config.deadLetter?.path ?? "./dead-letters.jsonl");
  const logger = createRunnerLogger({ level: "warn", secrets: result.secrets, destination: process.stderr });
  let report: ReplayReport;
  try {
    report = await replayDeadLetters(pipeline, target, logger);
  } catch (error) {
    io.stderr.write(`${result.secrets.scrubText((error as Error).message)}\n`);
    return EXIT_CODES.failed;
  }
  for (const line of replayReportLines(report)) io.stdout.write(`${result.secrets.scrubText(line)}\n`);
  if (report.refused.length > 0) return EXIT_CODES.failed;
  return report.undelivered > 0 ? EXIT_CODES.undelivered : EXIT_CODES.ok;
}

function replayReportLines(r: ReplayReport): string[] {
  const went = Object.entries(r.delivered).map(([c, n]) => `${c} ${n}`);
  const lines = [
    `replay of ${r.file}: ${r.total} dead letter(s), ${r.alreadyReplayed} already replayed earlier`,
    `delivered now: ${went.length > 0 ? went.join(", ") : "none"}`,
    `still refused: ${r.refused.length}`,
    ...r.refused.slice(0, 20).map((x) => `  ${x.id} (${x.component}): ${x.reason}`),
  ];
  if (r.undelivered > 0)
    lines.push(`not delivered (destination unavailable): ${r.undelivered}; run replay again later`);
  if (r.skipped.length > 0) {
    lines.push(`not replayable: ${r.skipped.length}`);
    for (const x of r.skipped.slice(0, 20)) lines.push(`  ${x.id} (${x.component}): ${x.reason}`);
  }
  if (r.unreadable > 0) lines.push(`unreadable lines: ${r.unreadable}`);
  return lines;
}

export function schemaCommand(io: CommandIo): number {
  io.stdout.write(`${JSON.stringify(pipelineJsonSchema(io.registry), null, 2)}\n`);
  return 0;
}

export interface RunOptions {
  readonly once?: boolean;
  readonly port?: number;
  readonly logLevel?: string;
  /** Show the live progress table (default: when stdout is a terminal and the run is one-shot). */
  readonly progress?: boolean;
  /** One-shot runs: stop reading this long after the start (overrides schedule.deadlineSeconds). */
  readonly deadlineSeconds?: number;
  /** service.name/version the run reports in traces and metrics (default: the runner's). */
  readonly service?: ServiceIdentity;
}

/** `pipeline run`: validate, build, serve, run on the schedule, drain on SIGTERM/SIGINT. */
export async function runCommand(file: string, options: RunOptions, io: CommandIo): Promise<number> {
  // A one-shot run's deadline counts from here: Akto's job runner times the whole process.
  const startedAt = Date.now();
  const result = await prepareConfig(file, { registry: io.registry, env: io.env });
  if (!result.pipeline) {
    reportIssues(result, io);
    return 1;
  }
  const { pipeline } = result;
  const schedule: Schedule = options.once ? { once: true } : toSchedule(pipeline.config.schedule);
  const oneShot = "once" in schedule;
  const deadlineSeconds = oneShot
    ? (options.deadlineSeconds ?? pipeline.config.schedule.deadlineSeconds)
    : undefined;
  const showProgress = options.progress ?? (oneShot && io.stdout.isTTY === true);
  const logger = createRunnerLogger({
    // With the live table on screen, only warnings and errors are logged (to stderr) to keep it readable.
    level: options.logLevel ?? (showProgress ? "warn" : (pipeline.config.logging?.level ?? "info")),
    secrets: result.secrets,
    bindings: { pipeline: pipeline.config.id },
    ...(showProgress ? { destination: process.stderr } : {}),
  });
  logger.info({ file, config: result.secrets.scrubData(result.loaded.data) }, "starting pipeline");
  const port = options.port ?? pipeline.config.http?.port;
  const telemetry = await startProcessTelemetry(pipeline.config.telemetry, io.env, {
    ...(options.service ? { service: options.service } : {}),
    served: port !== undefined,
  });
  const { metrics } = telemetry;
  observeScheduleInterval(metrics.meterProvider, pipeline.config.id, schedule);
  const tracker = new ProgressTracker();
  let outcome: ServiceOutcome;
  try {
    const built = await buildPipeline(pipeline, {
      logger,
      meterProvider: metrics.meterProvider,
      progress: tracker,
    });
    const display = showProgress ? new ProgressDisplay(tracker, io.stdout as NodeJS.WriteStream) : undefined;
    const service = new PipelineService({
      engine: built.engine,
      schedule,
      logger,
      readiness: built.readiness,
      metrics,
      ...(port !== undefined
        ? { http: { port, ...(pipeline.config.http?.host ? { host: pipeline.config.http.host } : {}) } }
        : {}),
      drainTimeoutMs: (pipeline.config.shutdown?.drainTimeoutSeconds ?? 30) * 1000,
      ...(deadlineSeconds !== undefined ? { deadline: startedAt + deadlineSeconds * 1000 } : {}),
      summarize: () => built.cycleSummary(),
      onCycle: () => {
        if (!oneShot) tracker.reset();
      },
    });
    const drainTimeoutMs = (pipeline.config.shutdown?.drainTimeoutSeconds ?? 30) * 1000;
    const removeHandlers = installSignalHandlers({
      logger,
      drainTimeoutMs,
      stop: (reason) => service.stop(reason),
    });
    try {
      await service.start();
      outcome = await service.run();
    } finally {
      removeHandlers();
    }
    display?.finish(outcome.lastSummary);
    await telemetry.shutdown();
  } catch (error) {
    await telemetry.shutdown();
    logger.error({ err: error }, "pipeline failed to start");
    io.stderr.write(`${result.secrets.scrubText((error as Error).message)}\n`);
    // The last lines of stdout are what Akto shows as the job's error: the plain-words summary.
    for (const line of [
      ...failureLines(error),
      `exit code ${EXIT_CODES.failed}: the pipeline could not start`,
    ])
      io.stdout.write(`${result.secrets.scrubText(line)}\n`);
    return EXIT_CODES.failed;
  }
  logger.info({ exitCode: outcome.exitCode, cycles: outcome.cycles }, "pipeline exited");
  if (oneShot) {
    for (const line of oneShotSummaryLines(outcome, deadlineSeconds))
      io.stdout.write(`${result.secrets.scrubText(line)}\n`);
  }
  return outcome.exitCode;
}
