import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

// Every pipeline file under examples/pipelines/ must validate, pass its own `tests:` and, when it
// needs no outside service, run: an example that no longer works as shipped fails CI.
const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const pipelinesDir = resolve(here, "../pipelines");
const cliSource = resolve(repo, "packages/runner/src/cli/pipeline.ts");
const cliBuilt = resolve(repo, "packages/runner/dist/cli/pipeline.js");
const outDir = mkdtempSync(join(tmpdir(), "pipekit-examples-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** Component types that need nothing outside this process (no workspace, broker, HTTP endpoint). */
const LOCAL = {
  source: new Set(["generate", "jsonl_file"]),
  sink: new Set(["jsonl_file", "stdout", "null", "memory"]),
};

interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function pipeline(args: string[], options: { built?: boolean } = {}): Promise<RunResult> {
  const argv = options.built
    ? [cliBuilt, ...args]
    : ["--conditions=@pipekit/source", "--import", "tsx", cliSource, ...args];
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, argv, {
      cwd: repo,
      env: { ...process.env, OUT_DIR: outDir },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

const files = readdirSync(pipelinesDir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

describe("every example pipeline", () => {
  it("there are examples to check (mapping and filter among them)", () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
    const types = files.flatMap((f) => typesOf(join(pipelinesDir, f)).transforms);
    expect(types).toEqual(expect.arrayContaining(["mapping", "filter"]));
  });

  describe.each(files)("%s", (name) => {
    const file = join(pipelinesDir, name);

    it("passes `pipeline validate`", async () => {
      const result = await pipeline(["validate", file]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^OK /);
    });

    it("passes its own `pipeline test` cases", async () => {
      const result = await pipeline(["test", file]);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const summary = /(\d+) passed, 0 failed/.exec(result.stdout);
      expect(summary, `${name} declares no tests:`).not.toBeNull();
      expect(Number(summary?.[1])).toBeGreaterThan(0);
    });

    const { source, sinks } = typesOf(file);
    if (LOCAL.source.has(source) && sinks.every((s) => LOCAL.sink.has(s))) {
      it("runs once and exits 0 (it needs no outside service)", async () => {
        const result = await pipeline(["run", "--once", "--no-progress", file]);
        expect(result.code, result.stdout + result.stderr).toBe(0);
        expect(result.stdout).toContain("exit code 0");
      });
    }
  });
});

describe("the plugin example as shipped", () => {
  it("the built `pipeline` CLI on plain Node (no TypeScript loader) validates and tests it", async () => {
    // The build is part of `npm test` (pnpm run check); without it this says so instead of passing.
    expect(existsSync(cliBuilt), `${cliBuilt} is missing: run \`pnpm build\` first`).toBe(true);
    const file = join(pipelinesDir, "uppercase.yaml");
    const validated = await pipeline(["validate", file], { built: true });
    expect(validated.stderr).toBe("");
    expect(validated.stdout).toContain("transform(s) [uppercase]");
    const tested = await pipeline(["test", file], { built: true });
    expect(tested.stdout).toContain("1 passed, 0 failed");
  });
});

function typesOf(file: string): { source: string; transforms: string[]; sinks: string[] } {
  const config = parse(readFileSync(file, "utf8")) as {
    source?: { type?: string };
    transforms?: { type?: string }[];
    sinks?: { type?: string }[];
  };
  return {
    source: String(config.source?.type),
    transforms: (config.transforms ?? []).map((t) => String(t.type)),
    sinks: (config.sinks ?? []).map((s) => String(s.type)),
  };
}
