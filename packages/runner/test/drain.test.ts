import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FileCheckpointStore } from "@pipekit/core/builtins";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, scratchDir, spawnCli, TEST_PLUGIN, waitFor, yaml } from "./helpers.js";

let scratch: ReturnType<typeof scratchDir>;
afterEach(() => scratch?.cleanup());

const linesOf = (file: string): { id: string; value: { n: number } }[] =>
  existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { id: string; value: { n: number } })
    : [];

describe("graceful drain of a running pipeline", () => {
  it("on SIGTERM stops polling, flushes, commits what was acked and exits 0; a re-run resumes", async () => {
    scratch = scratchDir();
    const out = join(scratch.dir, "out.jsonl");
    const checkpoints = join(scratch.dir, "checkpoints.json");
    const file = scratch.write(
      "p.yaml",
      yaml`
      id: drain
      plugins: [${JSON.stringify(TEST_PLUGIN)}]
      source: { type: test_numbers, count: 40, chunkSize: 1 }
      sinks:
        - { id: slow, type: test_file, path: out.jsonl, delayMs: 100, batch: { maxCount: 1, lingerMs: 0 } }
      budget: { maxMessages: 2 }
      checkpoints: { path: checkpoints.json }
      schedule: { intervalSeconds: 3600 }
      shutdown: { drainTimeoutSeconds: 10 }
    `,
    );
    const child = spawnCli(["run", file]);
    let stdout = "";
    child.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
      child.on("exit", (code) => resolve({ code, at: Date.now() })),
    );
    await waitFor(() => linesOf(out).length >= 3, "the slow sink to write a few messages");
    const signalledAt = Date.now();
    child.kill("SIGTERM");
    const { code, at } = await exited;
    expect(code).toBe(0);
    expect(at - signalledAt).toBeLessThan(10_000);

    const written = linesOf(out).map((l) => l.value.n);
    expect(written.length).toBeLessThan(40); // it really stopped early
    expect(written).toEqual([...written.keys()]); // in order, no gaps
    // Read the file as a restarted process would.
    const committed = await new FileCheckpointStore(checkpoints).load("numbers");
    expect(committed).toBe(written[written.length - 1]); // everything acked is committed
    expect(stdout).toContain('"msg":"drained"');

    const rerun = await runCli(["run", "--once", file]);
    expect(rerun.code).toBe(0);
    const all = linesOf(out).map((l) => l.value.n);
    expect(all).toEqual([...Array(40).keys()]); // resumed after the checkpoint: no gap, no duplicate
  });
});
