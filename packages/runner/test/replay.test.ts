import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, scratchDir, TEST_PLUGIN, yaml } from "./helpers.js";

let scratch: ReturnType<typeof scratchDir>;
afterEach(() => scratch?.cleanup());

const pipeline = (refuse: number[]) => yaml`
  id: replay
  plugins: [${JSON.stringify(TEST_PLUGIN)}]
  source: { type: test_numbers, count: 5, chunkSize: 5 }
  sinks: [{ id: out, type: test_file, path: out.jsonl, refuseN: [${refuse.join(", ")}] }]
  deadLetter: { path: dead.jsonl }
  checkpoints: { path: checkpoints.json }
`;

describe("pipeline replay", () => {
  it("re-sends dead letters after a config fix: reports what went and what is still refused, never sends one twice", {
    timeout: 60_000,
  }, async () => {
    scratch = scratchDir();
    const file = scratch.write("p.yaml", pipeline([1, 3]));
    const run = await runCli(["run", "--once", "--no-progress", file]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const lines = () => readFileSync(`${scratch.dir}/out.jsonl`, "utf8").trim().split("\n");
    const ids = () => lines().map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids()).toEqual(["n-0", "n-2", "n-4"]);

    // Half fixed: n=3 is still refused, and stays in the file for later.
    scratch.write("p.yaml", pipeline([3]));
    const half = await runCli(["replay", file]);
    expect(half.code, half.stdout + half.stderr).toBe(1);
    expect(half.stdout).toContain("2 dead letter(s), 0 already replayed earlier");
    expect(half.stdout).toContain("delivered now: out 1");
    expect(half.stdout).toContain("still refused: 1");
    expect(half.stdout).toContain("n-3 (out): n=3 is refused");

    scratch.write("p.yaml", pipeline([]));
    const fixed = await runCli(["replay", file]);
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect(fixed.stdout).toContain("2 dead letter(s), 1 already replayed earlier");
    expect(fixed.stdout).toContain("delivered now: out 1");
    expect(fixed.stdout).toContain("still refused: 0");

    const again = await runCli(["replay", file, `${scratch.dir}/dead.jsonl`]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain("2 already replayed earlier");
    expect(again.stdout).toContain("delivered now: none");
    expect(ids().sort()).toEqual(["n-0", "n-1", "n-2", "n-3", "n-4"]);
  });
});
