/**
 * The cost of the Databricks source's delivered-id state at a busy table's volume: 1,000,000
 * executions in one table's look-back window.
 *   checkpointStateMBPer1MIds    memory of that state (hash sets, V8 heap + array buffers, measured after a full GC; target ≤ 32)
 *   checkpointStateHashSetMBPer1MIds  of which the hash sets' typed arrays
 *   checkpointCommitMs1MIds      one durable commit (append + fdatasync) of a 2,000-row chunk's ids while 1M are tracked: median of 30 (target ≤ 100)
 *   checkpointCommitMaxMs1MIds   the slowest of those 30 commits
 *   checkpointFullWriteMs1MIds   the first commit, which writes all 1M ids (and compactions)
 *   checkpointFileMB1MIds        checkpoint file size holding them
 *   checkpointOldFormatCommitMs1MIds  baseline: the earlier format's commit (every id as JSON, file replaced) for the same state
 *   checkpointCommitVsOldFormat  old ÷ new commit time (higher is better)
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, open, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "@pipekit/core";
import type { CheckpointView } from "@pipekit/core/advanced";
import { FileCheckpointStore } from "@pipekit/core/builtins";
import { DeliveredIds } from "@pipekit/source-databricks";

const IDS = 1_000_000;
const WINDOW_MS = 60 * 60_000;
const CHUNK = 2_000;
const ROUNDS = 30;
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

const gc = (globalThis as { gc?: () => void }).gc;
function retainedBytes(): number {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Request ids shaped like Databricks' (UUIDs), at times spread over the window. */
function requestId(): string {
  const b = randomBytes(16).toString("hex");
  return `${b.slice(0, 8)}-${b.slice(8, 12)}-${b.slice(12, 16)}-${b.slice(16, 20)}-${b.slice(20)}`;
}

export async function run(): Promise<Record<string, number>> {
  if (!gc) throw new Error("bench/checkpoint needs --expose-gc (npm run bench passes it)");
  const dir = await mkdtemp(join(tmpdir(), "pipekit-bench-ckpt-"));
  try {
    // Memory of the state alone: ids made on the fly (none kept elsewhere), nothing written to a store.
    const discard: CheckpointView = { get: async () => undefined, all: async () => new Map() };
    const before = retainedBytes();
    const measured = await DeliveredIds.load(discard, {
      table: "c.s.t",
      maxBytes: 1 << 30,
      writer: "bench",
      logger: silentLogger,
    });
    measured.beginCycle();
    for (let i = 0; i < IDS; i++) measured.record(randomBytes(16).toString("hex"), timeOf(i));
    measured.position(NOW).checkpointWrites(); // folds the pending ids into the hash sets
    const stateBytes = retainedBytes() - before;

    const typedBytes = measured.stats.bytes;
    if (measured.stats.ids !== IDS) throw new Error(`state holds ${measured.stats.ids} ids, not ${IDS}`);

    // Durable commits with the file store.
    const ids: string[] = Array.from({ length: IDS }, requestId);
    const times = ids.map((_, i) => timeOf(i));
    const path = join(dir, "checkpoints.json");
    const store = new FileCheckpointStore(path);
    const view: CheckpointView = { get: (k) => store.load(k), all: () => store.loadAll() };
    const state = await DeliveredIds.load(view, {
      table: "c.s.t",
      maxBytes: 1 << 30,
      writer: "bench",
      logger: silentLogger,
    });
    state.beginCycle();
    for (let i = 0; i < IDS; i++) state.record(ids[i]!, times[i]!);
    let started = performance.now();
    let writes = state.position(NOW).checkpointWrites();
    await store.commitMany(writes.entries);
    writes.durable?.();
    const fullWriteMs = performance.now() - started;

    const commitMs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // A new chunk of rows at the window's newest end, as a cycle reads them.
      for (let i = 0; i < CHUNK; i++) state.record(requestId(), NOW + round * 1_000 + i);
      started = performance.now();
      writes = state.position(NOW + round * 1_000 + CHUNK).checkpointWrites();
      await store.commitMany(writes.entries);
      writes.durable?.();
      commitMs.push(performance.now() - started);
    }
    await store.close();
    const fileBytes = (await stat(path)).size;
    commitMs.sort((a, b) => a - b);

    // Baseline: the earlier format — every delivered id with its time, pretty JSON, file replaced.
    const old = ids.map((id, i) => [id, times[i]!] as const);
    const oldPath = join(dir, "old-checkpoints.json");
    started = performance.now();
    const text = JSON.stringify(
      { "c.s.t": { v: 1, scannedUntil: NOW, floor: null, delivered: old } },
      null,
      2,
    );
    const file = await open(`${oldPath}.tmp`, "w");
    await file.writeFile(text);
    await file.sync();
    await file.close();
    const oldCommitMs = performance.now() - started;

    const median = commitMs[Math.floor(commitMs.length / 2)]!;
    return {
      checkpointStateMBPer1MIds: round1(stateBytes / 2 ** 20),
      checkpointStateHashSetMBPer1MIds: round1(typedBytes / 2 ** 20),
      checkpointCommitMs1MIds: round1(median),
      checkpointCommitMaxMs1MIds: round1(commitMs[commitMs.length - 1]!),
      checkpointFullWriteMs1MIds: round1(fullWriteMs),
      checkpointFileMB1MIds: round1(fileBytes / 2 ** 20),
      checkpointOldFormatCommitMs1MIds: round1(oldCommitMs),
      checkpointCommitVsOldFormat: round1(oldCommitMs / median),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function timeOf(i: number): number {
  return NOW - WINDOW_MS + Math.floor((i / IDS) * WINDOW_MS);
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
