import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  deliveryStatus,
  type E2eStack,
  executionIds,
  KafkaTopicTail,
  runPipeline,
  startE2eStack,
  writeTunedShieldPipeline,
} from "../src/index.js";

/**
 * A folder nothing can be created in, for real: mode 0555 stops ordinary users, but root ignores
 * modes, so as root the folder is made immutable (chattr +i), which stops root too.
 */
function makeReadOnly(dir: string): () => void {
  if (process.getuid?.() === 0) {
    execFileSync("chattr", ["+i", dir]);
    return () => execFileSync("chattr", ["-i", dir]);
  }
  chmodSync(dir, 0o555);
  return () => chmodSync(dir, 0o755);
}

describe("checkpoint folder read-only", () => {
  let stack: E2eStack;
  let tail: KafkaTopicTail;

  beforeAll(async () => {
    stack = await startE2eStack({ kafkaBootstrap: inject("kafkaBootstrap"), rowsPerTable: 40, seed: 41 });
    tail = await KafkaTopicTail.start(stack.kafkaBootstrap, stack.topic);
  });

  afterAll(async () => {
    await tail?.close();
    await stack?.close();
  });

  it("-once fails naming the checkpoint file; the next run re-delivers instead of skipping", async () => {
    const dir = join(stack.stateDir, "checkpoints");
    mkdirSync(dir);
    const checkpointFile = join(dir, "checkpoints.json");
    const file = await writeTunedShieldPipeline(stack.env, stack.stateDir, {
      checkpointPath: checkpointFile,
      schedule: { once: true },
    });
    const restore = makeReadOnly(dir);
    let failed: Awaited<ReturnType<typeof runPipeline>>;
    try {
      failed = await runPipeline(["run", file, "--no-progress"], stack.env);
    } finally {
      restore();
    }
    expect(failed.code).not.toBe(0);
    // A fatal error naming the file the commit could not write (beyond the config echoed at start).
    const fatal = failed.stdout.split("\n").find((l) => /"fatal":true/.test(l)) ?? failed.stdout.slice(-3000);
    expect(fatal).toContain(`Cannot write checkpoint file ${checkpointFile}`);
    // Delivered at least once before the commit failed…
    const first = await deliveryStatus(stack, tail);
    const firstAkto = new Set(executionIds(stack.akto.records));
    expect(firstAkto.size).toBeGreaterThan(0);

    // …and, the folder writable again, delivered again: the failed commit skipped nothing.
    const next = await runPipeline(["run", file, "--no-progress"], stack.env);
    expect(next.code, next.stdout.slice(-3000)).toBe(0);
    const status = await deliveryStatus(stack, tail);
    expect(status.missing.kafka).toEqual([]);
    expect(status.missing.akto).toEqual([]);
    expect(status.survivors).toEqual([]);
    expect(status.missingDeadLetters).toEqual([]);
    // No commit succeeded in the first run, so everything it delivered is sent again.
    const times = new Map<string, number>();
    for (const id of executionIds(stack.akto.records)) times.set(id, (times.get(id) ?? 0) + 1);
    expect([...firstAkto].filter((id) => times.get(id)! < 2)).toEqual([]);
    expect(status.duplicates.akto - first.duplicates.akto).toBe(firstAkto.size);
  });
});
