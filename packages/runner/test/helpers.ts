import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

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
