#!/usr/bin/env node
// Packs every published workspace package into .cache/tarballs/ and checks each tarball as the
// consumer test does (manifest metadata, no workspace: ranges or build info, exports and bins that
// point at shipped files, imports that are declared dependencies) and with `npm publish --dry-run`.
// Run it after a build: `npm run publish-check`. The tarballs it leaves install together with
// `npm install <repo>/.cache/tarballs/*.tgz` (see "Installing the packages" in the README).
// Needs tsx (a root devDependency): the checks are the consumer test's TypeScript modules.
import { readFileSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  packageProblems,
  publishDryRunProblems,
  unpack,
} from "../packages/consumer-test/test/support/tarball-checks.ts";
import {
  packPackages,
  publishedPackages,
} from "../packages/consumer-test/test/support/workspace-packages.ts";

const repoRoot = resolve(fileURLToPath(import.meta.url), "../..");
const destination = join(repoRoot, ".cache/tarballs");
const root = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
const expectations = { license: root.license, repositoryUrl: root.repository?.url };

rmSync(destination, { recursive: true, force: true });
const packed = await packPackages(await publishedPackages(repoRoot), destination);
const problems = [];
for (const pkg of packed) {
  problems.push(...packageProblems(await unpack(pkg, join(destination, ".unpacked")), pkg, expectations));
  problems.push(...(await publishDryRunProblems(pkg, join(repoRoot, ".cache/npm"))));
}
rmSync(join(destination, ".unpacked"), { recursive: true, force: true });

for (const pkg of packed) console.log(`${pkg.name}@${pkg.version}  ${relative(repoRoot, pkg.tarball)}`);
if (problems.length > 0) {
  console.error(`\n${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join("\n")}`);
  process.exit(1);
}
console.log(`\n${packed.length} packages packed and clean for npm publish.`);
