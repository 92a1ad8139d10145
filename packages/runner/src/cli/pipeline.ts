#!/usr/bin/env node
// First: tunes the garbage collector before the other modules are evaluated.
import "./tune-at-start.js";
import { Command, InvalidArgumentError } from "commander";
import {
  type CommandIo,
  replayCommand,
  runCommand,
  schemaCommand,
  testCommand,
  validateCommand,
} from "./commands.js";
import { isEntryScript, runAsProcess } from "./run-as-process.js";
import { wantedComponents } from "./wanted-components.js";

/** The `pipeline` command: run, validate and test YAML pipelines; print their JSON Schema. */
export function pipelineProgram(io: CommandIo, setExitCode: (code: number) => void): Command {
  const program = new Command("pipeline")
    .description("Run, validate and test pipekit YAML pipelines")
    .showHelpAfterError()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });

  program
    .command("run")
    .description("build the pipeline from its YAML file and run it (once or on its schedule)")
    .argument("<file>", "pipeline YAML file")
    .option("--once", "run a single cycle whatever the schedule says")
    .option(
      "--deadline <seconds>",
      "one-shot runs: stop reading after this many seconds, drain, commit, leave the rest for the next run",
      parsePositiveSeconds,
    )
    .option("--port <port>", "serve /healthz, /readyz and /metrics on this port", parsePort)
    .option("--log-level <level>", "debug, info, warn or error")
    .option("--no-progress", "no live progress table even in a terminal")
    .action(
      async (
        file: string,
        opts: { once?: boolean; deadline?: number; port?: number; logLevel?: string; progress: boolean },
      ) => {
        setExitCode(
          await runCommand(
            file,
            {
              ...(opts.once ? { once: true } : {}),
              ...(opts.deadline !== undefined ? { deadlineSeconds: opts.deadline } : {}),
              ...(opts.port !== undefined ? { port: opts.port } : {}),
              ...(opts.logLevel ? { logLevel: opts.logLevel } : {}),
              ...(opts.progress === false ? { progress: false } : {}),
            },
            io,
          ),
        );
      },
    );

  program
    .command("validate")
    .description(
      "check the file: YAML syntax, variables, keys and every component's config (all problems at once)",
    )
    .argument("<file>", "pipeline YAML file")
    .option("--print", "print the resolved config (secrets masked)")
    .action(async (file: string, opts: { print?: boolean }) => {
      setExitCode(await validateCommand(file, opts, io));
    });

  program
    .command("test")
    .description("run the file's `tests:`: feed their inputs through the transforms and check the outputs")
    .argument("<file>", "pipeline YAML file")
    .action(async (file: string) => {
      setExitCode(await testCommand(file, io));
    });

  program
    .command("replay")
    .description(
      "re-send dead letters through the pipeline as configured now (after a fix); what went is not sent again by a later replay",
    )
    .argument("<file>", "pipeline YAML file")
    .argument("[dead-letters]", "dead-letter JSONL file (default: the pipeline's deadLetter.path)")
    .action(async (file: string, deadLetters: string | undefined) => {
      setExitCode(await replayCommand(file, deadLetters, io));
    });

  program
    .command("schema")
    .description("print the JSON Schema of pipeline files (for editor completion)")
    .action(() => {
      setExitCode(schemaCommand(io));
    });
  return program;
}

function parsePositiveSeconds(value: string): number {
  const seconds = Number(value);
  if (!(seconds > 0) || !Number.isFinite(seconds))
    throw new InvalidArgumentError("expected a positive number of seconds");
  return seconds;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError("expected a port number 0-65535");
  return port;
}

if (isEntryScript(import.meta.url, /pipeline\.(js|ts)$/)) {
  runAsProcess(pipelineProgram, process.argv, { wanted: wantedComponents(process.argv) });
}
