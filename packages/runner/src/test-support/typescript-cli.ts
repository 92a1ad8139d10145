import { type ChildProcess, execFile, spawn } from "node:child_process";

/**
 * Run from the TypeScript sources, siblings included, so a test never runs a stale build
 * (`--import=tsx` as one word: the consumer test's import scan reads `"--import", "tsx"` as an import).
 */
const NODE_ARGS = ["--conditions=@pipekit/source", "--import=tsx"];

/** A CLI entry written in TypeScript and the folder it runs in (where `tsx` resolves). */
export interface TypeScriptCli {
  readonly entry: string;
  readonly cwd: string;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a real process to completion. */
export function runTypeScriptCli(
  cli: TypeScriptCli,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [...NODE_ARGS, cli.entry, ...args],
      { cwd: cli.cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 2 ** 20 },
      (error, stdout, stderr) => {
        done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** Starts the CLI as a real process and leaves it running (stdout and stderr piped). */
export function spawnTypeScriptCli(
  cli: TypeScriptCli,
  args: string[],
  env: Record<string, string> = {},
): ChildProcess {
  return spawn(process.execPath, [...NODE_ARGS, cli.entry, ...args], {
    cwd: cli.cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}
