import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConsumerProject, createPnpmConsumerProject } from "./support/consumer-project.js";
import { readmeCodeBlock } from "./support/readme-snippet.js";
import { runCommand } from "./support/run-command.js";
import { packageProblems, publishDryRunProblems, unpack } from "./support/tarball-checks.js";
import { type PackedPackage, packPackages, publishedPackages } from "./support/workspace-packages.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const npmCache = join(repoRoot, ".cache/npm");
const README_QUICKSTART = "### 3. As a library";

let tarballs: string;
let packed: PackedPackage[];
let project: string;
let pnpmProject: string | undefined;

const node = (script: string, cwd = project) => runCommand(process.execPath, [script], { cwd });
const pipeline = (args: string[], env: Record<string, string> = {}, allowFailure = false, cwd = project) =>
  runCommand("npx", ["--no-install", "pipeline", ...args], { cwd, env, allowFailure });

beforeAll(async () => {
  // Pack what the sources say now, not a stale build (a no-op when `npm test` just built).
  if (!process.env.TMP_NO_BUILD)
    await runCommand("pnpm", ["exec", "tsc", "-b", "tsconfig.json"], { cwd: repoRoot });
  tarballs = mkdtempSync(join(tmpdir(), "pipekit-tarballs-"));
  packed = await packPackages(await publishedPackages(repoRoot), tarballs);
  project = await createConsumerProject({
    repoRoot,
    filesDir: resolve(repoRoot, "packages/consumer-test/consumer"),
    packages: packed,
    sources: { "readme-quickstart.ts": readmeCodeBlock(join(repoRoot, "README.md"), README_QUICKSTART) },
    npmCache,
  });
});

afterAll(() => {
  for (const dir of [tarballs, project, pnpmProject]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the packed packages", () => {
  it("are every published workspace package, and only those", () => {
    const names = packed.map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining(["@pipekit/core", "@pipekit/runner", "@pipekit/testkit-databricks"]),
    );
    for (const internal of ["@pipekit/e2e", "@pipekit/examples", "@pipekit/consumer-test"]) {
      expect(names).not.toContain(internal);
    }
  });

  it("ship what their manifests name, declare what they import, and are clean for npm publish", async () => {
    const unpacked = join(tarballs, "unpacked");
    const expectations = rootPublishExpectations();
    const problems: string[] = [];
    for (const pkg of packed)
      problems.push(...packageProblems(await unpack(pkg, unpacked), pkg, expectations));
    // Two npm processes at a time: each is mostly start-up, and the machine has two cores.
    const queue = [...packed];
    const worker = async () => {
      for (let pkg = queue.shift(); pkg; pkg = queue.shift()) {
        problems.push(...(await publishDryRunProblems(pkg, npmCache)));
      }
    };
    await Promise.all([worker(), worker()]);
    expect(problems).toEqual([]);
  });
});

describe("a strict TypeScript consumer with the tarballs installed by npm", () => {
  it("type-checks (strict, NodeNext, declarations of every package checked)", async () => {
    await runCommand("npx", ["--no-install", "tsc", "-p", "tsconfig.json"], { cwd: project });
  });

  it("runs the README's library quickstart as printed there", async () => {
    const run = join(project, "quickstart-run");
    mkdirSync(run);
    const orders = [
      { id: "o1", qty: 2, unitPrice: 10 },
      { id: "o2", qty: 1, unitPrice: 7.5 },
    ];
    writeFileSync(
      join(run, "orders.jsonl"),
      `${orders.map((o) => JSON.stringify(o)).join("\n")}\nnot json\n`,
    );
    await node(join(project, "dist/readme-quickstart.js"), run);
    expect(jsonLines(join(run, "priced.jsonl"))).toEqual([
      { id: "o1", qty: 2, unitPrice: 10, total: 20 },
      { id: "o2", qty: 1, unitPrice: 7.5, total: 7.5 },
    ]);
    expect(jsonLines(join(run, "dead-letters.jsonl"))).toHaveLength(1);
  });

  it("runs its own Source, Transform and Sink on the installed engine", async () => {
    const { stdout } = await node("dist/custom-components.js");
    const result = JSON.parse(stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ sent: { collected: 4 }, deadLettered: 1, largestBatch: 2, checkpoint: 5 });
    expect(result.fahrenheit).toEqual([68, 212, 32, expect.closeTo(98.6, 6)]);
  });

  it("runs an rxjs Observable and operator through the installed @pipekit/rx", async () => {
    const { stdout } = await node("dist/rx-usage.js");
    expect(JSON.parse(stdout)).toEqual({ sent: { words: 3 }, words: ["ALPHA", "BETA", "GAMMA"] });
  });

  it("reads the workspace emulator with the Databricks source (HTTPS, OAuth M2M, @databricks/sql)", async () => {
    expectAllExecutionsDelivered((await node("dist/databricks-source.js")).stdout);
  });

  it("validates, tests and runs a YAML pipeline with the installed CLI and a plugin of its own", async () => {
    const out = join(project, "shout-out.jsonl");
    const env = { OUT_PATH: out };
    const validated = await pipeline(["validate", "pipelines/shout.yaml"], env);
    expect(validated.stdout).toContain('OK pipelines/shout.yaml: pipeline "consumer-shout"');
    expect(validated.stdout).toContain("[shout, filter]");
    const tested = await pipeline(["test", "pipelines/shout.yaml"], env);
    expect(tested.stdout).toContain("1 passed, 0 failed");
    await pipeline(["run", "--once", "--no-progress", "--log-level", "error", "pipelines/shout.yaml"], env);
    const values = jsonLines(out) as { seq: number; data: string }[];
    expect(values.map((v) => v.seq)).toEqual([0, 1, 2]);
    for (const v of values) expect(v.data).toMatch(/^[^a-z]+!$/);
  });

  it("reports a misspelled plugin option with its file position", async () => {
    const result = await pipeline(["validate", "pipelines/misspelled.yaml"], {}, true);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/misspelled\.yaml:\d+:\d+: .*feild.*field/);
  });

  it("has the databricks-shield binary on its PATH", async () => {
    const { stdout } = await runCommand("npx", ["--no-install", "databricks-shield", "--print-pipeline"], {
      cwd: project,
      env: {
        DATABRICKS_HOST: "https://adb-1.2.azuredatabricks.net",
        DATABRICKS_TOKEN: "dapi-consumer-secret",
        DATA_INGESTION_SERVICE_URL: "http://127.0.0.1:9091",
        AKTO_JWT_TOKEN: "jwt-consumer-secret",
      },
    });
    expect(stdout).toContain("type: databricks");
    expect(stdout).toContain("type: akto_http");
    expect(stdout).not.toMatch(/consumer-secret/);
  });
});

describe("the same tarballs installed by pnpm (each package sees only what it declares)", () => {
  beforeAll(async () => {
    pnpmProject = await createPnpmConsumerProject({ repoRoot, packages: packed }, project);
  });

  it("reads the workspace emulator with the Databricks source", async () => {
    expectAllExecutionsDelivered((await node("dist/databricks-source.js", pnpmProject)).stdout);
  });

  it("runs rxjs through @pipekit/rx", async () => {
    const { stdout } = await node("dist/rx-usage.js", pnpmProject);
    expect(JSON.parse(stdout)).toMatchObject({ sent: { words: 3 } });
  });

  it("runs the CLI with the project's plugin", async () => {
    const out = join(pnpmProject!, "shout-out.jsonl");
    const args = ["run", "--once", "--no-progress", "--log-level", "error", "pipelines/shout.yaml"];
    await pipeline(args, { OUT_PATH: out }, false, pnpmProject);
    expect(jsonLines(out)).toHaveLength(3);
  });
});

/** What dist/databricks-source.js printed: every well-formed seeded row delivered, the malformed dead-lettered. */
function expectAllExecutionsDelivered(stdout: string): void {
  const result = JSON.parse(stdout) as {
    delivered: string[];
    expected: string[];
    deadLettered: number;
    malformed: number;
    platforms: string[];
  };
  expect(result.expected.length).toBeGreaterThan(0);
  expect(result.delivered).toEqual(result.expected);
  expect(result.deadLettered).toBe(result.malformed);
  expect(result.platforms).toEqual(["databricks"]);
}

function jsonLines(path: string): unknown[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as unknown);
}

function rootPublishExpectations(): { license: string; repositoryUrl: string } {
  const root = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
    license?: string;
    repository?: { url?: string };
  };
  if (!root.license || !root.repository?.url)
    throw new Error("the root package.json names no license or repository");
  return { license: root.license, repositoryUrl: root.repository.url };
}
