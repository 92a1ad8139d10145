import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createMessage,
  FatalError,
  Pipeline,
  runPipeline,
  type Source,
  type SourceChunk,
} from "@pipekit/core";
import type { DeadLetterRecord } from "@pipekit/core/advanced";
import { MemoryCheckpointStore } from "@pipekit/core/builtins";
import {
  type AktoIngestionEmulator,
  sampleAktoRecord,
  startAktoIngestionEmulator,
} from "@pipekit/testkit-akto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AKTO_BATCH_DEFAULTS, createAktoHttpSink } from "../src/http-sink/index.js";

const TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJlMmUifQ.c2VjcmV0LXNpZ25hdHVyZQ";
const N = 600;
const POISON_INDEX = 437;

/** N Akto records in chunks of 100, each chunk carrying its checkpoint; one record is marked poison. */
function recordSource(): Source {
  return {
    type: "test_records",
    async *read(): AsyncIterable<SourceChunk> {
      for (let start = 0; start < N; start += 100) {
        const messages = Array.from({ length: 100 }, (_, k) => {
          const i = start + k;
          const overrides = i === POISON_INDEX ? { requestPayload: '{"q":"POISON"}' } : {};
          return createMessage(`req-${i}`, sampleAktoRecord(i, { payloadBytes: 512, overrides }));
        });
        yield { messages, checkpoint: { key: "records", position: start + 100 } };
      }
    },
  };
}

/** The request id Akto received a record under (sampleAktoRecord puts it in the headers). */
const requestIdOf = (record: Readonly<Record<string, unknown>>) =>
  (JSON.parse(String(record.requestHeaders)) as Record<string, string>)["x-databricks-request-id"];

let akto: AktoIngestionEmulator;
let dir: string;
beforeEach(async () => {
  akto = await startAktoIngestionEmulator({ token: TOKEN });
  dir = await mkdtemp(join(tmpdir(), "akto-e2e-"));
});
afterEach(async () => {
  await akto.close();
  await rm(dir, { recursive: true, force: true });
});

async function deadLetters(path: string): Promise<DeadLetterRecord[]> {
  const text = await readFile(path, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as DeadLetterRecord);
}

describe("Akto HTTP sink through the core engine", () => {
  it("loses no record under injected faults; only the poison record is dead-lettered", async () => {
    akto.faults.inject(
      { kind: "status", status: 503, count: 2 },
      { kind: "status", status: 429, retryAfter: 1 },
      { kind: "reset" },
      { kind: "delay", delayMs: 1_500 },
      { kind: "status", status: 502 },
      { kind: "status", status: 500 },
      { kind: "rejectRecord", match: { contains: "POISON" }, message: "poisoned record" },
    );
    const deadLetterPath = join(dir, "dead-letters.jsonl");
    const store = new MemoryCheckpointStore();
    const report = await runPipeline({
      id: "akto-e2e",
      checkpointStore: store,
      source: recordSource(),
      sinks: [
        {
          id: "akto",
          sink: createAktoHttpSink({ url: akto.url, token: TOKEN, timeoutMs: 400, concurrency: 2 }),
          batch: { ...AKTO_BATCH_DEFAULTS, lingerMs: 20 },
          retry: { maxAttempts: 10, initialDelayMs: 5, maxDelayMs: 50, maxElapsedMs: 30_000 },
          concurrency: 2,
        },
      ],
      deadLetter: deadLetterPath,
    });

    const dead = await deadLetters(deadLetterPath);
    expect(dead.map((d) => d.message.id)).toEqual([`req-${POISON_INDEX}`]);
    expect(dead[0]!.error.class).toBe("poison");
    expect(dead[0]!.error.message).toContain("poisoned record");

    // Every other record reached Akto at least once (retries and Akto's partial 422 may duplicate).
    const delivered = new Set(akto.records.map(requestIdOf));
    const missing = Array.from({ length: N }, (_, i) => `req-${i}`).filter(
      (id) => id !== `req-${POISON_INDEX}` && !delivered.has(id),
    );
    expect(missing).toEqual([]);
    expect(delivered.has(`req-${POISON_INDEX}`)).toBe(false);

    expect(report.sent.akto).toBe(N - 1);
    expect(report.deadLettered).toBe(1);
    expect(report.retries).toBeGreaterThanOrEqual(7);
    expect(store.positions.get("records")).toBe(N);
    // Every injected fault fired, so each path was exercised.
    expect(akto.faults.fired).toMatchObject({ status: 5, reset: 1, delay: 1 });
    expect(akto.faults.fired.rejectRecord).toBeGreaterThanOrEqual(1);
    expect(akto.requests.countOf(429)).toBe(1);
  });

  it("honours Retry-After from a 429 before retrying", async () => {
    akto.faults.inject({ kind: "status", status: 429, retryAfter: 1 });
    const source: Source = {
      type: "one",
      async *read() {
        yield { messages: [createMessage("only", sampleAktoRecord(1))] };
      },
    };
    const report = await runPipeline({
      source,
      sinks: [
        {
          id: "akto",
          sink: createAktoHttpSink({ url: akto.url, token: TOKEN, timeoutMs: 2_000, concurrency: 1 }),
          batch: { lingerMs: 0 },
          retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5, maxElapsedMs: 10_000 },
        },
      ],
      deadLetter: join(dir, "dl.jsonl"),
    });
    expect(report.sent.akto).toBe(1);
    // Without the hint the engine would retry after ≤ 5 ms.
    expect(report.durationMs).toBeGreaterThanOrEqual(950);
    expect(akto.requests.statuses).toEqual([429, 200]);
  });

  it("stops with a FatalError on a rejected token, without a retry storm or the token in the error", async () => {
    const wrong = `${TOKEN}x`;
    const pipeline = new Pipeline({
      source: recordSource(),
      sinks: [
        {
          id: "akto",
          sink: createAktoHttpSink({ url: akto.url, token: wrong, timeoutMs: 2_000, concurrency: 2 }),
          batch: { ...AKTO_BATCH_DEFAULTS, lingerMs: 20 },
          retry: { maxAttempts: 10, initialDelayMs: 5, maxDelayMs: 50, maxElapsedMs: 30_000 },
          concurrency: 2,
        },
      ],
      deadLetter: join(dir, "dl.jsonl"),
    });
    await pipeline.open();
    let error: unknown;
    try {
      await pipeline.runCycle();
    } catch (e) {
      error = e;
    } finally {
      await pipeline.close();
    }
    expect(error).toBeInstanceOf(FatalError);
    expect((error as Error).message).toContain("Akto rejected the token (HTTP 401)");
    expect(String((error as Error).message)).not.toContain(wrong);
    // At most one try per batch that was already in flight: nothing is retried after a 401.
    expect(akto.requests.countOf(401)).toBeLessThanOrEqual(2);
    expect(akto.records).toHaveLength(0);
    expect(await deadLetters(join(dir, "dl.jsonl"))).toEqual([]);
  });
});
