import { existsSync, readFileSync } from "node:fs";
import { silentLogger } from "@pipekit/core";
import { afterEach, describe, expect, it } from "vitest";
import { buildPipeline } from "../src/build/build-pipeline.js";
import { createTransforms } from "../src/build/transform-worker-chain.js";
import { formatIssue } from "../src/config/config-issue.js";
import { prepareConfig } from "../src/config/validate-config.js";
import { createDefaultRegistry } from "../src/registry/default-registry.js";
import { runCli, scratchDir, TEST_PLUGIN, yaml } from "./helpers.js";

let scratch: ReturnType<typeof scratchDir>;
afterEach(() => scratch?.cleanup());

/** prepareConfig → buildPipeline → one cycle, in this process, as `pipeline run --once` does. */
async function runOnce(file: string) {
  const { registry } = await createDefaultRegistry();
  const result = await prepareConfig(file, { registry, env: {} });
  expect(result.issues.map(formatIssue)).toEqual([]);
  const built = await buildPipeline(result.pipeline!, { logger: silentLogger });
  await built.engine.open();
  try {
    return await built.engine.runCycle();
  } finally {
    await built.engine.close({ timeoutMs: 10_000 });
  }
}

const lines = (path: string) => readFileSync(path, "utf8").trim().split("\n");

const LINES = 300;

/** Records with something to redact (an email, a card number), one per line. */
function inputFile(): string {
  const records = Array.from({ length: LINES }, (_, i) => ({
    n: i,
    user: `user${i}@example.com`,
    note: i % 3 === 0 ? `card 4111 1111 1111 1111 on order ${i}` : `order ${i}`,
  }));
  return scratch.write("in.jsonl", `${records.map((r) => JSON.stringify(r)).join("\n")}\n`);
}

/** jsonl_file → redact → mapping → jsonl_file, with `transformWorkers: workers`. */
function redactAndMap(name: string, workers: number): string {
  return scratch.write(
    `${name}.yaml`,
    yaml`
    id: ${name}
    source: { type: jsonl_file, path: in.jsonl, chunkSize: 40 }
    transforms:
      - { type: redact }
      - { type: mapping, expression: '$merge([$, { "id": $id, "noteLength": $length(note) }])' }
    sinks: [{ type: jsonl_file, path: ${name}-out.jsonl }]
    deadLetter: { path: ${name}-dead.jsonl }
    transformWorkers: ${workers}
  `,
  );
}

describe("transformWorkers", () => {
  it("runs the transform chain in worker threads with the same output, in the same order, as on the main thread", async () => {
    scratch = scratchDir();
    inputFile();
    const main = await runOnce(redactAndMap("main", 0));
    const workers = await runOnce(redactAndMap("workers", 2));
    for (const report of [main, workers]) {
      expect(report).toMatchObject({ received: LINES, sent: { jsonl_file: LINES }, deadLettered: 0 });
    }
    const expected = lines(`${scratch.dir}/main-out.jsonl`);
    expect(expected).toHaveLength(LINES);
    // The chain did run: redacted and mapped.
    const first = JSON.parse(expected[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ n: 0, noteLength: expect.any(Number) });
    expect(first.user).not.toBe("user0@example.com");
    expect(first.note).not.toContain("4111 1111 1111 1111");
    expect(lines(`${scratch.dir}/workers-out.jsonl`)).toEqual(expected);
    expect(existsSync(`${scratch.dir}/workers-dead.jsonl`)).toBe(false);
  });

  it("dead-letters a message a transform in a worker rejects under transforms/<transform id>, as that transform saw it; the others arrive", async () => {
    scratch = scratchDir();
    const file = scratch.write(
      "reject.yaml",
      yaml`
      id: reject-in-worker
      plugins: [${JSON.stringify(TEST_PLUGIN)}]
      source: { type: test_numbers, count: 10, chunkSize: 4 }
      transforms:
        - { type: test_set_field, field: seen, value: true }
        - { type: test_reject_if, field: n, equals: 3 }
      sinks: [{ type: jsonl_file, path: out.jsonl }]
      deadLetter: { path: dead.jsonl }
      transformWorkers: 2
    `,
    );
    const report = await runOnce(file);
    expect(report).toMatchObject({ received: 10, sent: { jsonl_file: 9 }, deadLettered: 1 });
    const out = lines(`${scratch.dir}/out.jsonl`).map((l) => JSON.parse(l) as { n: number; seen: boolean });
    expect(out).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9].map((n) => ({ n, seen: true })));
    const dead = lines(`${scratch.dir}/dead.jsonl`).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      stage: "transform",
      component: "transforms/transforms[1]",
      message: { id: "n-3", value: { n: 3, seen: true } },
    });
    expect(JSON.stringify(dead[0])).toContain("rejected: n is 3");
  });

  it("works from the `pipeline` CLI", { timeout: 60_000 }, async () => {
    scratch = scratchDir();
    inputFile();
    const run = await runCli(["run", "--once", "--no-progress", redactAndMap("cli", 2)]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const out = lines(`${scratch.dir}/cli-out.jsonl`);
    expect(out).toHaveLength(LINES);
    expect(out.map((l) => (JSON.parse(l) as { n: number }).n)).toEqual(
      Array.from({ length: LINES }, (_, i) => i),
    );
  });

  it("a worker's chain fails with a clear error when a type is unknown there (its plugin did not load)", async () => {
    scratch = scratchDir();
    await expect(
      createTransforms({
        transforms: [{ id: "transforms[0]", type: "test_gone", config: {} }],
        baseDir: scratch.dir,
        plugins: ["./missing-plugin.js"],
      }),
    ).rejects.toThrow(
      /^transform type "test_gone" \(transforms\[0\]\) unknown in a transform worker thread: plugins\[0\]: cannot load plugin "\.\/missing-plugin\.js"/,
    );
  });

  it.each([
    ["-1", /transformWorkers: Too small: expected number to be >=0; found number -1/],
    ["two", /transformWorkers: expected number, found string "two"/],
    ["1.5", /transformWorkers: expected int, found number 1\.5/],
    ["65", /transformWorkers: Too big: expected number to be <=64; found number 65/],
  ])("rejects transformWorkers: %s with a config error naming the key", async (value, message) => {
    scratch = scratchDir();
    const file = scratch.write(
      "bad.yaml",
      yaml`
      id: bad-workers
      source: { type: generate, count: 1 }
      transforms: [{ type: redact }]
      sinks: [{ type: "null" }]
      transformWorkers: ${value}
    `,
    );
    const { registry } = await createDefaultRegistry();
    const result = await prepareConfig(file, { registry, env: {} });
    expect(result.pipeline).toBeUndefined();
    expect(result.issues.map(formatIssue)).toHaveLength(1);
    expect(result.issues[0]!.path).toEqual(["transformWorkers"]);
    expect(formatIssue(result.issues[0]!)).toMatch(message);
  });
});
