import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const cli = resolve(repo, "packages/runner/src/cli/pipeline.ts");
const pipelineFile = resolve(here, "../pipelines/uppercase.yaml");
const run = (args: string[], env: Record<string, string> = {}) =>
  promisify(execFile)(process.execPath, ["--conditions=@pipekit/source", "--import", "tsx", cli, ...args], {
    cwd: repo,
    env: { ...process.env, ...env },
  });

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the uppercase plugin example", () => {
  it("passes its config tests", async () => {
    const { stdout } = await run(["test", pipelineFile]);
    expect(stdout).toContain("PASS upper-cases the listed fields only");
    expect(stdout).toContain("1 passed, 0 failed");
  });

  it("runs as a pipeline with the plugin registered like a built-in", async () => {
    dir = mkdtempSync(join(tmpdir(), "pipekit-example-"));
    const out = join(dir, "uppercase-out.jsonl");
    await run(["run", "--once", pipelineFile], { OUT_DIR: dir });
    const values = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { seq: number; data: string });
    expect(values.map((v) => v.seq)).toEqual([0, 1, 2, 3, 4]);
    for (const v of values) expect(v.data).toBe(v.data.toUpperCase());
    expect(values.some((v) => /[A-Z]/.test(v.data))).toBe(true);
  });
});
