/**
 * `pnpm bench`: runs every benchmark module in this folder (each exports `run()` returning flat
 * numeric figures), prints ONE flat JSON object with all figures and writes it to bench/results.json,
 * plus a Markdown table in bench/README.md. Each module measures its own baseline in the same run, so
 * the ratios hold on a noisy shared machine. `pnpm bench core redact` runs only those modules and
 * keeps the other figures of the last full run.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

type BenchModule = { run(): Promise<Record<string, number>> };

const here = dirname(fileURLToPath(import.meta.url));
const only = new Set(process.argv.slice(2));
const modules = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && !["run.ts", "report.ts"].includes(f) && !f.endsWith(".d.ts"))
  .map((f) => basename(f, ".ts"))
  .filter((name) => only.size === 0 || only.has(name))
  .sort();

// A partial run (`pnpm bench scale redact`) refreshes those figures and keeps the others on record.
const resultsFile = join(here, "results.json");
const previous: Record<string, number | string> =
  only.size > 0 && existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, "utf8")) : {};
const results: Record<string, number | string> = {
  ...previous,
  machine: `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ${cpus()[0]?.model ?? "unknown cpu"}`,
  node: process.version,
  date: new Date().toISOString(),
};
const failures: string[] = [];
const fresh = new Set<string>();
for (const name of modules) {
  const started = Date.now();
  process.stderr.write(`[bench] ${name}…\n`);
  try {
    const mod = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as BenchModule;
    const figures = await mod.run();
    Object.assign(results, figures);
    for (const key of Object.keys(figures)) fresh.add(key);
    process.stderr.write(`[bench] ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    failures.push(`${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.stderr.write(`[bench] ${name} FAILED: ${String(error)}\n`);
  }
}

// The pipeline's rate as a share of what its source alone reaches: only meaningful when both come
// from this run (same machine load), so a run refreshing just one of them drops the old ratio.
if (fresh.has("e2eRowsPerSec") && fresh.has("sourceRowsPerSec")) {
  results.e2eVsSourceRatio =
    Math.round((Number(results.e2eRowsPerSec) / Number(results.sourceRowsPerSec)) * 1000) / 1000;
} else if (fresh.has("e2eRowsPerSec") || fresh.has("sourceRowsPerSec")) {
  delete results.e2eVsSourceRatio;
}

const json = JSON.stringify(results);
console.log(json);
writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
const { writeReport } = await import("./report.js");
writeReport(join(here, "README.md"), results);
if (failures.length > 0) {
  process.stderr.write(`\n${failures.length} benchmark module(s) failed:\n${failures.join("\n")}\n`);
  process.exit(1);
}
process.exit(0);
