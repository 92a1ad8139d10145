import { existsSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, scratchDir, TEST_PLUGIN, yaml } from "./helpers.js";

let scratch: ReturnType<typeof scratchDir>;
afterEach(() => scratch?.cleanup());

const TOTAL = 200;

describe("`run --once` with a deadline", () => {
  it("works a backlog off over several runs: each stops reading at the deadline, drains, commits and exits 0; nothing lost, nothing twice", {
    timeout: 120_000,
  }, async () => {
    scratch = scratchDir();
    // 40 batches of 5 at 100 ms each: 4 s of writing, more than one 2-second run can do.
    const file = scratch.write(
      "backlog.yaml",
      yaml`
      id: backlog
      plugins: [${JSON.stringify(TEST_PLUGIN)}]
      source: { type: test_numbers, count: ${TOTAL}, chunkSize: 5 }
      sinks: [{ id: out, type: test_file, path: out.jsonl, delayMs: 100, batch: { maxCount: 5, lingerMs: 0 } }]
      deadLetter: { path: dead.jsonl }
      checkpoints: { path: checkpoints.json }
      schedule: { once: true, deadlineSeconds: 2 }
    `,
    );
    const runs: { code: number; deadline: boolean; ms: number }[] = [];
    for (let i = 0; i < 10; i++) {
      const started = Date.now();
      const run = await runCli(["run", "--no-progress", file]);
      runs.push({
        code: run.code,
        deadline: run.stdout.includes("deadline reached (2 s): stopped reading"),
        ms: Date.now() - started,
      });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      if (!runs.at(-1)!.deadline) break;
    }
    expect(runs.length, JSON.stringify(runs)).toBeGreaterThanOrEqual(2);
    expect(runs.slice(0, -1).every((r) => r.deadline)).toBe(true);
    expect(runs.at(-1)!.deadline).toBe(false);
    const ids = readFileSync(`${scratch.dir}/out.jsonl`, "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(new Set(ids).size).toBe(TOTAL);
    expect(ids).toHaveLength(TOTAL);
    expect(existsSync(`${scratch.dir}/dead.jsonl`)).toBe(false);
  });

  it("`--deadline` on the command line overrides the file", { timeout: 60_000 }, async () => {
    scratch = scratchDir();
    const file = scratch.write(
      "slow.yaml",
      yaml`
      id: slow
      plugins: [${JSON.stringify(TEST_PLUGIN)}]
      source: { type: test_numbers, count: 1000, chunkSize: 5 }
      sinks: [{ id: out, type: test_file, path: out.jsonl, delayMs: 100, batch: { maxCount: 5, lingerMs: 0 } }]
      checkpoints: { path: checkpoints.json }
      schedule: { once: true, deadlineSeconds: 600 }
    `,
    );
    const started = Date.now();
    const run = await runCli(["run", "--no-progress", "--deadline", "1", file]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain("deadline reached (1 s)");
    // 1000 records at 50/s would take 20 s.
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
