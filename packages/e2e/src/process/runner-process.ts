import { type ChildProcess, spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (tsx and the workspace packages resolve from here). */
export const REPO_ROOT = resolve(here, "../../../..");
export const SHIELD_CLI = resolve(REPO_ROOT, "apps/databricks-shield/src/cli/databricks-shield.ts");
export const PIPELINE_CLI = resolve(REPO_ROOT, "packages/runner/src/cli/pipeline.ts");
/** Run the runner from its TypeScript sources, as the runner's own end-to-end tests do. */
const NODE_ARGS = ["--conditions=@pipekit/source", "--import", "tsx"];

export interface RunnerExit {
  /** Exit code, or null when a signal ended the process. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * One real runner process (`databricks-shield` or `pipeline`), started from source. Output is
 * collected so tests can assert on it; `exited` settles whatever ends the process (exit or kill).
 */
export class RunnerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<RunnerExit>;
  private out = "";
  private err = "";
  private done = false;

  constructor(cli: string, args: readonly string[], env: Readonly<Record<string, string>>) {
    this.child = spawn(process.execPath, [...NODE_ARGS, cli, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout?.setEncoding("utf8").on("data", (s: string) => {
      this.out += s;
    });
    this.child.stderr?.setEncoding("utf8").on("data", (s: string) => {
      this.err += s;
    });
    this.exited = new Promise((done, fail) => {
      this.child.once("error", fail);
      // "close" (not "exit"): the output pipes are drained by then.
      this.child.once("close", (code, signal) => {
        this.done = true;
        done({ code, signal, stdout: this.out, stderr: this.err });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  get hasExited(): boolean {
    return this.done;
  }

  /** SIGKILL: no handler runs, nothing is flushed — a crash. Resolves once the process is gone. */
  async kill(): Promise<RunnerExit> {
    if (!this.done) this.child.kill("SIGKILL");
    return this.exited;
  }

  /** SIGTERM: the runner drains and exits on its own. */
  async terminate(): Promise<RunnerExit> {
    if (!this.done) this.child.kill("SIGTERM");
    return this.exited;
  }
}

export function startShield(args: readonly string[], env: Readonly<Record<string, string>>): RunnerProcess {
  return new RunnerProcess(SHIELD_CLI, args, env);
}

export function startPipeline(args: readonly string[], env: Readonly<Record<string, string>>): RunnerProcess {
  return new RunnerProcess(PIPELINE_CLI, args, env);
}

/** Runs to completion and returns how it ended. */
export function runShield(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<RunnerExit> {
  return startShield(args, env).exited;
}

export function runPipeline(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<RunnerExit> {
  return startPipeline(args, env).exited;
}
