import { mkdir } from "node:fs/promises";
import { relative } from "node:path";
import { runCommand } from "./run-command.js";

/** A workspace package that is published (not `private`), found from the workspace itself. */
export interface WorkspacePackage {
  readonly name: string;
  readonly version: string;
  readonly dir: string;
  /** Its folder relative to the repository root, e.g. "packages/core" (what `repository.directory` says). */
  readonly relativeDir: string;
}

export interface PackedPackage extends WorkspacePackage {
  readonly tarball: string;
}

/**
 * Every published package of the workspace, as pnpm sees it, so a package added later is packed,
 * installed and checked without touching this test.
 */
export async function publishedPackages(repoRoot: string): Promise<WorkspacePackage[]> {
  const { stdout } = await runCommand("pnpm", ["ls", "-r", "--depth", "-1", "--json"], { cwd: repoRoot });
  const projects = JSON.parse(stdout) as {
    name?: string;
    version?: string;
    path: string;
    private?: boolean;
  }[];
  return projects
    .filter((p) => p.private !== true && p.name && p.version && p.path !== repoRoot)
    .map((p) => ({
      name: p.name as string,
      version: p.version as string,
      dir: p.path,
      relativeDir: relative(repoRoot, p.path),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** `pnpm pack` each package into `destination` (workspace: ranges and publishConfig applied as on publish). */
export async function packPackages(
  packages: readonly WorkspacePackage[],
  destination: string,
): Promise<PackedPackage[]> {
  await mkdir(destination, { recursive: true });
  const packed: PackedPackage[] = [];
  for (const pkg of packages) {
    const { stdout } = await runCommand("pnpm", ["pack", "--pack-destination", destination, "--json"], {
      cwd: pkg.dir,
    });
    const { filename } = JSON.parse(stdout) as { filename: string };
    packed.push({ ...pkg, tarball: filename });
  }
  return packed;
}
