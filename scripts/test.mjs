#!/usr/bin/env node
// Runs the whole vitest suite and closes with one plain summary line ("Tests: N passed, N failed")
// that CI systems can read whatever reporter vitest uses.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";

mkdirSync(".cache", { recursive: true });
const report = ".cache/vitest-report.json";
const args = [
  "vitest",
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
];
const result = spawnSync("pnpm", ["exec", ...args], { stdio: "inherit" });
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const json = JSON.parse(readFileSync(report, "utf8"));
  passed = json.numPassedTests;
  failed = json.numFailedTests + (json.numRuntimeErrorTestSuites ?? 0);
  skipped = json.numPendingTests + json.numTodoTests;
} catch {
  failed = Math.max(failed, 1);
}
console.log(`Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(result.status === 0 && failed === 0 ? 0 : 1);
