import { describe, expect, it } from "vitest";
import { tuneGarbageCollection } from "../src/cli/gc-tuning.js";

describe("tuneGarbageCollection", () => {
  it("sets the heap growth heuristic when the operator did not choose one", () => {
    expect(tuneGarbageCollection(["--conditions=x"], "--max-old-space-size=512")).toBe(true);
  });

  it("leaves the operator's own choice alone, from node flags or NODE_OPTIONS", () => {
    expect(tuneGarbageCollection(["--heap-growing-percent=100"], "")).toBe(false);
    expect(tuneGarbageCollection([], "--max-old-space-size=512 --heap_growing_percent=50")).toBe(false);
  });
});
