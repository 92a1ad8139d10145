import { readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";
import { runCommand } from "./run-command.js";
import type { PackedPackage } from "./workspace-packages.js";

type Manifest = Record<string, unknown> & {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  exports?: unknown;
  bin?: string | Record<string, string>;
  repository?: { url?: string; directory?: string };
};

/** What every published manifest must carry, taken from the root package.json. */
export interface PublishExpectations {
  readonly license: string;
  readonly repositoryUrl: string;
}

const DEPENDENCY_FIELDS = [
  "dependencies",
  "peerDependencies",
  "optionalDependencies",
  "devDependencies",
] as const;
const LOCAL_RANGE = /^(workspace|catalog|link|file|portal):/;
const DEV_ONLY_CONDITION = "@pipekit/source";

/** Unpacks a tarball into `into/<name>`; returns the folder holding its package.json. */
export async function unpack(pkg: PackedPackage, into: string): Promise<string> {
  const dir = join(into, pkg.name.replace("/", "+"));
  await mkdir(dir, { recursive: true });
  await runCommand("tar", ["-xzf", pkg.tarball, "-C", dir], { cwd: into });
  return join(dir, "package");
}

/** Every problem that would make the unpacked package wrong to publish or to install; empty when fine. */
export function packageProblems(root: string, pkg: PackedPackage, expect: PublishExpectations): string[] {
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Manifest;
  const files = listFiles(root);
  const problems: string[] = [];
  const add = (problem: string) => problems.push(`${pkg.name}: ${problem}`);

  for (const field of DEPENDENCY_FIELDS) {
    for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
      if (LOCAL_RANGE.test(range))
        add(`${field}.${dep} is "${range}" (only resolvable inside the workspace)`);
    }
  }
  for (const field of ["description", "version", "engines"] as const) {
    if (!manifest[field]) add(`no "${field}"`);
  }
  if (!Array.isArray(manifest.keywords) || manifest.keywords.length === 0) add(`no "keywords"`);
  if (manifest.license !== expect.license)
    add(`license is ${String(manifest.license)}, not ${expect.license}`);
  if (manifest.repository?.url !== expect.repositoryUrl) add(`repository.url is not ${expect.repositoryUrl}`);
  if (manifest.repository?.directory !== pkg.relativeDir)
    add(`repository.directory is not ${pkg.relativeDir}`);
  for (const required of ["README.md", "LICENSE", "package.json"]) {
    if (!files.includes(required)) add(`does not ship ${required}`);
  }
  for (const file of files) {
    if (file.endsWith(".tsbuildinfo")) add(`ships build info ${file}`);
    if (/\.test\.[cm]?[jt]s$/.test(file)) add(`ships test file ${file}`);
  }
  problems.push(...publishedExportsDrift(pkg).map((p) => `${pkg.name}: ${p}`));
  problems.push(...entryPointProblems(manifest, files).map((p) => `${pkg.name}: ${p}`));
  problems.push(...undeclaredImports(root, manifest, files).map((p) => `${pkg.name}: ${p}`));
  return problems;
}

/**
 * In the workspace, `exports` keeps the in-repo condition and `publishConfig.exports` (what pnpm
 * packs) must be the same map without it: a subpath added to one only would vanish on publish or
 * point at sources.
 */
function publishedExportsDrift(pkg: PackedPackage): string[] {
  const source = JSON.parse(readFileSync(join(pkg.dir, "package.json"), "utf8")) as Manifest & {
    publishConfig?: { exports?: unknown };
  };
  if (source.exports === undefined) return [];
  const withoutDevCondition = JSON.parse(JSON.stringify(source.exports), (key, value: unknown) =>
    key === DEV_ONLY_CONDITION ? undefined : value,
  ) as unknown;
  return JSON.stringify(source.publishConfig?.exports) === JSON.stringify(withoutDevCondition)
    ? []
    : [`package.json: publishConfig.exports is not exports without the "${DEV_ONLY_CONDITION}" condition`];
}

/** `exports` and `bin` name only files the tarball holds, each export with types and no dev-only condition. */
function entryPointProblems(manifest: Manifest, files: readonly string[]): string[] {
  const problems: string[] = [];
  const shipped = new Set(files);
  const target = (where: string, path: string) => {
    if (!shipped.has(path.replace(/^\.\//, "")))
      problems.push(`${where} → ${path}, which is not in the tarball`);
  };
  const visit = (where: string, node: unknown): void => {
    if (typeof node === "string") {
      target(where, node);
      return;
    }
    if (typeof node !== "object" || node === null) return;
    for (const [key, child] of Object.entries(node)) {
      if (key === DEV_ONLY_CONDITION)
        problems.push(`${where} keeps the in-repo "${DEV_ONLY_CONDITION}" condition`);
      visit(`${where}[${key}]`, child);
    }
  };
  if (manifest.exports !== undefined) {
    visit("exports", manifest.exports);
    for (const [subpath, conditions] of Object.entries(manifest.exports as Record<string, unknown>)) {
      if (typeof conditions !== "object" || conditions === null || !("types" in conditions)) {
        problems.push(`exports["${subpath}"] has no "types" condition`);
      }
    }
  }
  const bins = typeof manifest.bin === "string" ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {});
  for (const [name, path] of Object.entries(bins)) target(`bin.${name}`, path);
  if (manifest.exports === undefined && Object.keys(bins).length === 0)
    problems.push("neither exports nor bin");
  return problems;
}

/**
 * A bare import in shipped JavaScript or declarations must be a declared dependency (or peer):
 * npm hoists everything to one node_modules, so an undeclared one would still resolve in the
 * consumer project as long as some sibling happens to bring it; pnpm or a lone install would not.
 */
function undeclaredImports(root: string, manifest: Manifest, files: readonly string[]): string[] {
  const declared = new Set([
    manifest.name,
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
  ]);
  const builtins = new Set(builtinModules);
  const found = new Map<string, string>();
  for (const file of files.filter((f) => /\.(m?js|d\.m?ts)$/.test(f))) {
    const code = readFileSync(join(root, file), "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    for (const specifier of importedSpecifiers(code)) {
      if (specifier.startsWith(".") || specifier.startsWith("node:") || specifier.startsWith("#")) continue;
      const name = specifier.startsWith("@")
        ? specifier.split("/").slice(0, 2).join("/")
        : (specifier.split("/")[0] ?? specifier);
      if (builtins.has(name) || declared.has(name) || found.has(name)) continue;
      found.set(name, file);
    }
  }
  return [...found].map(([name, file]) => `${file} imports "${name}", which is not a dependency or peer`);
}

const IMPORT_PATTERNS = [
  /\b(?:import|export)\s[^"'`;]*?\bfrom\s*["']([^"']+)["']/g,
  /\bimport\s*["']([^"']+)["']/g,
  /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  /\brequire\)?\s*\(\s*["']([^"']+)["']\s*\)/g,
  /\)\s*\(\s*["']([^"']+)["']\s*\)/g, // createRequire(import.meta.url)("pkg/file.js")
  /\/\/\/\s*<reference\s+types=["']([^"']+)["']/g,
];

function importedSpecifiers(code: string): string[] {
  return IMPORT_PATTERNS.flatMap((pattern) => [...code.matchAll(pattern)].map((m) => m[1] ?? ""));
}

function listFiles(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? listFiles(root, path) : [relative(root, path)];
  });
}

/**
 * `npm publish --dry-run` on the tarball: it must succeed and warn about nothing but the missing
 * login (a dry run on a machine without a registry account always says so).
 */
export async function publishDryRunProblems(pkg: PackedPackage, npmCache: string): Promise<string[]> {
  const { stderr, code } = await runCommand(
    "npm",
    ["publish", "--dry-run", "--cache", npmCache, "--loglevel", "warn", pkg.tarball],
    { cwd: join(pkg.tarball, ".."), allowFailure: true },
  );
  const warnings = stderr
    .split("\n")
    .filter((line) => /^npm (warn|error|ERR)/i.test(line))
    .filter((line) => !/requires you to be logged in/.test(line));
  const problems = warnings.map((line) => `${pkg.name}: npm publish --dry-run: ${line}`);
  if (code !== 0) problems.push(`${pkg.name}: npm publish --dry-run exited ${code}:\n${stderr}`);
  return problems;
}
