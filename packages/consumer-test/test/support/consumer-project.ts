import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand } from "./run-command.js";
import type { PackedPackage } from "./workspace-packages.js";

export interface ConsumerProjectOptions {
  readonly repoRoot: string;
  /** The consumer's own files (tsconfig, src/, pipelines/), copied as they are. */
  readonly filesDir: string;
  readonly packages: readonly PackedPackage[];
  /** Extra source files to write under src/, by name. */
  readonly sources: Readonly<Record<string, string>>;
  /** npm's cache, kept under the repository's .cache/ so a re-run downloads nothing. */
  readonly npmCache: string;
}

/**
 * A fresh project outside the repository (nothing above it can resolve a workspace package), with
 * every tarball and its registry dependencies installed by npm in one go — as the root README tells
 * a user to — plus the consumer's own registry dependencies (zod for its plugin's schema, rxjs for
 * @pipekit/rx, TypeScript and Node's types) at the versions the repository uses.
 */
export async function createConsumerProject(options: ConsumerProjectOptions): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "pipekit-consumer-"));
  cpSync(options.filesDir, dir, { recursive: true });
  for (const [name, code] of Object.entries(options.sources)) writeFileSync(join(dir, "src", name), code);

  const root = readJson(join(options.repoRoot, "package.json"));
  const manifest = {
    ...consumerManifest(options.repoRoot, options.packages),
    devDependencies: {
      typescript: root.devDependencies?.typescript,
      "@types/node": root.devDependencies?.["@types/node"],
    },
  };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  await runCommand(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      "--loglevel=error",
      "--cache",
      options.npmCache,
    ],
    { cwd: dir, timeoutMs: 280_000 },
  );
  return dir;
}

/**
 * The same tarballs installed by pnpm without hoisting, so each package resolves only what it
 * declares (npm's flat node_modules lets a missing dependency resolve through a sibling's). pnpm resolves each
 * dependency on its own, so the siblings are pointed at their tarballs with `overrides`, as the
 * root README says; build scripts are allowed or refused as the repository itself decides. The
 * compiled consumer is copied from the npm project.
 */
export async function createPnpmConsumerProject(
  options: Pick<ConsumerProjectOptions, "repoRoot" | "packages">,
  compiledProject: string,
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "pipekit-consumer-pnpm-"));
  for (const folder of ["dist", "pipelines"]) {
    cpSync(join(compiledProject, folder), join(dir, folder), { recursive: true });
  }
  const manifest = consumerManifest(options.repoRoot, options.packages);
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  const overrides = options.packages.map((p) => `  "${p.name}": "file:${p.tarball}"`);
  writeFileSync(
    join(dir, "pnpm-workspace.yaml"),
    // hoist: false — no hidden hoisting into node_modules/.pnpm/node_modules, through which an
    // undeclared dependency would still resolve from a sibling's.
    `hoist: false\noverrides:\n${overrides.join("\n")}\n${allowBuildsBlock(options.repoRoot)}`,
  );
  await runCommand("pnpm", ["install", "--no-frozen-lockfile", "--reporter=silent"], {
    cwd: dir,
    timeoutMs: 280_000,
  });
  return dir;
}

/** Every tarball by `file:`, and the consumer's own registry dependencies at the repository's versions. */
function consumerManifest(repoRoot: string, packages: readonly PackedPackage[]) {
  const core = readJson(join(repoRoot, "packages/core/package.json"));
  const rx = readJson(join(repoRoot, "packages/rx/package.json"));
  return {
    name: "pipekit-consumer",
    version: "1.0.0",
    private: true,
    type: "module",
    dependencies: {
      ...Object.fromEntries(packages.map((p) => [p.name, `file:${p.tarball}`])),
      zod: core.dependencies?.zod,
      rxjs: rx.peerDependencies?.rxjs,
    },
  };
}

/** The `allowBuilds:` block of the repository's pnpm-workspace.yaml, as it is written there. */
function allowBuildsBlock(repoRoot: string): string {
  const lines = readFileSync(join(repoRoot, "pnpm-workspace.yaml"), "utf8").split("\n");
  const start = lines.findIndex((line) => line.startsWith("allowBuilds:"));
  if (start < 0) return "";
  const end = lines.findIndex((line, i) => i > start && line.trim() !== "" && !/^\s/.test(line));
  return `${lines.slice(start, end < 0 ? undefined : end).join("\n")}\n`;
}

interface PackageJson {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function readJson(path: string): PackageJson {
  return JSON.parse(readFileSync(path, "utf8")) as PackageJson;
}
