import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type CliResult, runTypeScriptCli, spawnTypeScriptCli } from "../src/test-support/index.js";

const here = dirname(fileURLToPath(import.meta.url));
export const TEST_PLUGIN = resolve(here, "fixtures/plugins/test-components.ts");
export const RUNNER_ROOT = resolve(here, "..");
export const CLI = resolve(here, "../src/cli/pipeline.ts");

/** A scratch folder per test; `cleanup` removes it. */
export function scratchDir(): { dir: string; write(name: string, text: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "pipekit-runner-"));
  return {
    dir,
    write(name, text) {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Removes the common leading indentation so YAML can be written inline, indented with the test. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = strings
    .reduce((out, part, i) => out + part + (i < values.length ? String(values[i]) : ""), "")
    .replace(/^\n/, "");
  const indent = Math.min(
    ...text
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => /^ */.exec(l)?.[0].length ?? 0),
  );
  return `${text
    .split("\n")
    .map((l) => l.slice(indent))
    .join("\n")
    .trimEnd()}\n`;
}

const REPO = resolve(here, "../../..");

/** Runs the real `pipeline` CLI to completion. */
export function runCli(args: string[], env: Record<string, string> = {}, cli = CLI): Promise<CliResult> {
  return runTypeScriptCli({ entry: cli, cwd: REPO }, args, env);
}

/** Starts the real `pipeline` CLI and leaves it running. */
export function spawnCli(args: string[], env: Record<string, string> = {}, cli = CLI): ChildProcess {
  return spawnTypeScriptCli({ entry: cli, cwd: REPO }, args, env);
}

/** Polls `condition` until it holds or the deadline passes (no fixed sleeps). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
