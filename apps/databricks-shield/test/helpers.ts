import { execFile } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(here, "../../..");
export const SHIELD_CLI = resolve(here, "../src/cli/databricks-shield.ts");
/** From the TypeScript sources, siblings included, so a test never runs a stale build. */
const NODE_ARGS = ["--conditions=@pipekit/source", "--import", "tsx"];

/** Runs the real `databricks-shield` process to completion. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  cli = SHIELD_CLI,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [...NODE_ARGS, cli, ...args],
      { cwd: REPO, env: { ...process.env, ...env }, maxBuffer: 64 * 2 ** 20 },
      (error, stdout, stderr) => {
        done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}
