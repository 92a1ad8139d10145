import { execFileSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { capYoungGeneration, isBinaryEntry, tuneGarbageCollection } from "../src/cli/gc-tuning.js";

const GC_TUNING = pathToFileURL(
  resolve(dirname(fileURLToPath(import.meta.url)), "../src/cli/gc-tuning.ts"),
).href;
const MB = 2 ** 20;

/**
 * A fresh process that keeps a window of the newest 200k small objects alive while it allocates
 * (what survives scavenges is what makes V8 grow the young generation), yielding to the event loop
 * between rounds as a pipeline does, and prints its largest semi-space in bytes.
 */
function largestSemiSpace(cap: boolean): number {
  const script = `
    const { capYoungGeneration, semiSpaceBytes } = await import(${JSON.stringify(GC_TUNING)});
    if (${cap}) capYoungGeneration(2, [], "");
    const window = new Array(200000);
    let largest = 0;
    for (let round = 0; round < 300; round++) {
      for (let i = 0; i < 20000; i++) window[(round * 20000 + i) % window.length] = { round, i, text: "x" + i };
      largest = Math.max(largest, semiSpaceBytes());
      await new Promise((r) => setTimeout(r, 1));
    }
    console.log(largest);`;
  const out = execFileSync(
    process.execPath,
    ["--conditions=@pipekit/source", "--import", "tsx", "--input-type=module", "-e", script],
    { encoding: "utf8" },
  );
  return Number(out.trim());
}

describe("tuneGarbageCollection", () => {
  it("sets the heap growth heuristic when the operator did not choose one", () => {
    expect(tuneGarbageCollection(["--conditions=x"], "--max-old-space-size=512")).toBe(true);
  });

  it("leaves the operator's own choice alone, from node flags or NODE_OPTIONS", () => {
    expect(tuneGarbageCollection(["--heap-growing-percent=100"], "")).toBe(false);
    expect(tuneGarbageCollection([], "--max-old-space-size=512 --heap_growing_percent=50")).toBe(false);
  });
});

describe("capYoungGeneration", () => {
  it("keeps the semi-space near the cap where V8 alone grows it to its own ceiling", () => {
    const uncapped = largestSemiSpace(false);
    const capped = largestSemiSpace(true);
    expect(uncapped).toBeGreaterThanOrEqual(8 * MB);
    // One doubling past the cap can slip in between two looks; the default would be 16 MiB.
    expect(capped).toBeLessThanOrEqual(4 * MB);
  });

  it("leaves the young generation to the operator's flags", () => {
    expect(capYoungGeneration(2, ["--max-semi-space-size=8"], "")).toBeUndefined();
    expect(capYoungGeneration(2, [], "--semi-space-growth-factor=4")).toBeUndefined();
    expect(capYoungGeneration(2, [], "--min_semi_space_size=4")).toBeUndefined();
  });
});

describe("isBinaryEntry", () => {
  const tuning = "file:///opt/shield/dist/cli/tune-at-start.js";
  const name = /databricks-shield\.(js|ts)$/;

  it("is true only for the binary beside the tuning module", () => {
    expect(isBinaryEntry(tuning, name, "/opt/shield/dist/cli/databricks-shield.js")).toBe(true);
    // Another program (a test runner, an embedding app), or a same-named script elsewhere, is not.
    expect(isBinaryEntry(tuning, name, "/opt/shield/node_modules/vitest/vitest.mjs")).toBe(false);
    expect(isBinaryEntry(tuning, name, "/home/me/databricks-shield.js")).toBe(false);
    expect(isBinaryEntry(tuning, name, undefined)).toBe(false);
  });
});
