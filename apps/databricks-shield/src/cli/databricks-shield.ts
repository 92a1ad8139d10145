#!/usr/bin/env node
// First: tunes the garbage collector before the other modules are evaluated.
import "./tune-at-start.js";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import {
  type CommandIo,
  checkCron,
  isEntryScript,
  replayCommand,
  runAsProcess,
  runCommand,
} from "@pipekit/runner/cli";
import { Command } from "commander";
import { SHIELD_PACKAGES } from "../shield/shield-packages.js";
import { type ShieldSchedule, shieldPipelineYaml } from "../shield/shield-pipeline.js";
import { readShieldSettings, ShieldConfigError } from "../shield/shield-settings.js";

// src/cli and dist/cli are both two levels below the app's package.json.
const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };
/** service.name/version of its traces and metrics (OTEL_SERVICE_NAME still wins). */
const SHIELD_SERVICE = { name: "databricks-shield", version };

/**
 * `databricks-shield`: a drop-in for Akto's binary of that name. Same environment variables, the
 * same Go-style flags (`-once`, `-schedule '<6-field cron>'`), and no schedule flag means every
 * RECURRING_INTERVAL_SECONDS. Under the hood it is an ordinary pipeline file, which
 * `--print-pipeline` shows so users can move on to YAML.
 */
export function shieldProgram(io: CommandIo, setExitCode: (code: number) => void): Command {
  return new Command("databricks-shield")
    .description("Import Databricks AI agents' executions into Akto (drop-in for Akto's databricks-shield)")
    .option(
      "--once",
      "run one polling cycle and exit: stops reading at SHIELD_ONCE_DEADLINE_SECONDS (240), exit code 0 when everything read was delivered, 3 when a destination was down (the rest is sent by the next run)",
    )
    .option("--schedule <cron>", "6-field cron (seconds first), e.g. '0 */10 * * * *'")
    .option(
      "--print-pipeline",
      "print the equivalent pipeline YAML (secrets stay as variable references) and exit",
    )
    .option(
      "--replay [dead-letters]",
      "re-send dead letters (default: SHIELD_STATE_DIR/dead-letters.jsonl) through the sinks as configured now, then exit",
    )
    .option("--log-level <level>", "debug, info, warn or error")
    .option("--no-progress", "no live progress table even in a terminal")
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .action(
      async (opts: {
        once?: boolean;
        schedule?: string;
        printPipeline?: boolean;
        replay?: string | boolean;
        logLevel?: string;
        progress: boolean;
      }) => {
        let yaml: string;
        let stateDir: string;
        try {
          const settings = readShieldSettings(io.env);
          if (opts.schedule) {
            try {
              checkCron(opts.schedule);
            } catch (error) {
              throw new ShieldConfigError(`-schedule '${opts.schedule}': ${(error as Error).message}`);
            }
          }
          const schedule: ShieldSchedule = opts.once
            ? { once: true, deadlineSeconds: settings.SHIELD_ONCE_DEADLINE_SECONDS }
            : opts.schedule
              ? { cron: opts.schedule }
              : { intervalSeconds: settings.RECURRING_INTERVAL_SECONDS };
          yaml = shieldPipelineYaml(settings, schedule);
          stateDir = resolve(settings.SHIELD_STATE_DIR);
        } catch (error) {
          if (!(error instanceof ShieldConfigError)) throw error;
          io.stderr.write(`${error.message}\n`);
          setExitCode(2);
          return;
        }
        if (opts.printPipeline) {
          io.stdout.write(yaml);
          setExitCode(0);
          return;
        }
        mkdirSync(stateDir, { recursive: true });
        const file = join(stateDir, "pipeline.yaml");
        writeFileSync(file, yaml);
        if (opts.replay !== undefined) {
          setExitCode(
            await replayCommand(file, typeof opts.replay === "string" ? resolve(opts.replay) : undefined, io),
          );
          return;
        }
        setExitCode(
          await runCommand(
            file,
            {
              ...(opts.logLevel ? { logLevel: opts.logLevel } : {}),
              ...(opts.progress === false ? { progress: false } : {}),
              service: SHIELD_SERVICE,
            },
            io,
          ),
        );
      },
    );
}

/** Akto runs its binaries with Go-style single-dash long flags (`-once`); accept both spellings. */
export function normaliseGoFlags(argv: readonly string[]): string[] {
  return argv.map((arg) => (/^-[a-z][a-z-]+(=.*)?$/.test(arg) ? `-${arg}` : arg));
}

if (isEntryScript(import.meta.url, /databricks-shield\.(js|ts)$/)) {
  runAsProcess(shieldProgram, normaliseGoFlags(process.argv), { packages: SHIELD_PACKAGES });
}
