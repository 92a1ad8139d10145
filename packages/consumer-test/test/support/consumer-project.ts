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
  const core = readJson(join(options.repoRoot, "packages/core/package.json"));
  const rx = readJson(join(options.repoRoot, "packages/rx/package.json"));
  const manifest = {
    name: "pipekit-consumer",
    version: "1.0.0",
    private: true,
    type: "module",
    dependencies: {
      ...Object.fromEntries(options.packages.map((p) => [p.name, `file:${p.tarball}`])),
      zod: core.dependencies?.zod,
      rxjs: rx.peerDependencies?.rxjs,
    },
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

interface PackageJson {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function readJson(path: string): PackageJson {
  return JSON.parse(readFileSync(path, "utf8")) as PackageJson;
}
