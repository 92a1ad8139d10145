import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type CliResult, runTypeScriptCli } from "@pipekit/runner/testing";

const here = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(here, "../../..");
export const SHIELD_CLI = resolve(here, "../src/cli/databricks-shield.ts");

/** Runs the real `databricks-shield` process to completion. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  cli = SHIELD_CLI,
): Promise<CliResult> {
  return runTypeScriptCli({ entry: cli, cwd: REPO }, args, env);
}
