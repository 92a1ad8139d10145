import { execFile } from "node:child_process";

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Resolve with the exit code instead of rejecting when the command fails. */
  readonly allowFailure?: boolean;
  readonly timeoutMs?: number;
}

/**
 * Runs a command with its output captured (the test stays quiet when all goes well); a failure
 * rejects with the command, its exit code and both streams, so the reason is in the test report.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: { ...outsideEnv(), ...options.env },
        maxBuffer: 64 * 2 ** 20,
        timeout: options.timeoutMs ?? 240_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        if (error && !options.allowFailure) {
          reject(
            new Error(
              `${command} ${args.join(" ")} (in ${options.cwd}) failed with ${error.code ?? error.signal}:\n` +
                `--- stdout\n${stdout}\n--- stderr\n${stderr}`,
            ),
          );
          return;
        }
        resolve({ stdout, stderr, code });
      },
    );
  });
}

/**
 * The environment without what npm, pnpm or the test runner set for the repository (npm_config_*,
 * npm_package_*, NODE_OPTIONS): the consumer must behave as in a shell of its own.
 */
function outsideEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== "NODE_OPTIONS"),
  );
}
