import { createHash } from "node:crypto";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  createMessage,
  type Logger,
  type Message,
  Pipeline,
  type Sink,
  type Source,
  type Transform,
} from "@pipekit/core";
import type { DeadLetterRecord } from "@pipekit/core/advanced";
import { MemorySink } from "@pipekit/core/builtins";
import { TRANSFORM_POOL_ID } from "../build/transform-worker-chain.js";
import type { ValidatedPipeline } from "../config/validate-config.js";

/** What a replay did, per destination, and what it could not do. */
export interface ReplayReport {
  readonly file: string;
  /** Dead letters in the file (lines that parsed). */
  readonly total: number;
  /** Already replayed by an earlier `replay` (in the ledger): not sent again. */
  readonly alreadyReplayed: number;
  /** Sent and accepted now, by the component they were sent from ("sink id" or "transform id"). */
  readonly delivered: Readonly<Record<string, number>>;
  /** Refused again (still poison): they stay in the file for a later replay. */
  readonly refused: readonly { readonly id: string; readonly component: string; readonly reason: string }[];
  /** Not accepted because a destination was unavailable: they stay for a later replay. */
  readonly undelivered: number;
  /** Cannot be replayed (a row the source could not decode, a component no longer in the pipeline). */
  readonly skipped: readonly { readonly id: string; readonly component: string; readonly reason: string }[];
  /** Lines that were not dead-letter records. */
  readonly unreadable: number;
}

interface Entry {
  readonly key: string;
  readonly record: DeadLetterRecord;
}

/** `<dead-letters>.replayed`: one key per dead letter that a replay delivered, so a rerun skips it. */
export const ledgerPath = (file: string): string => `${file}.replayed`;

function readEntries(file: string): { entries: Entry[]; unreadable: number } {
  const entries: Entry[] = [];
  let unreadable = 0;
  if (!existsSync(file)) return { entries, unreadable };
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    try {
      const record = JSON.parse(line) as DeadLetterRecord;
      if (typeof record?.message?.id !== "string" || typeof record.component !== "string") {
        unreadable++;
        continue;
      }
      entries.push({ key: createHash("sha256").update(line).digest("hex").slice(0, 32), record });
    } catch {
      unreadable++;
    }
  }
  return { entries, unreadable };
}

function readLedger(file: string): Set<string> {
  const path = ledgerPath(file);
  if (!existsSync(path)) return new Set();
  return new Set(
    readFileSync(path, "utf8")
      .split("\n")
      .filter((l) => l.trim() !== ""),
  );
}

/** A source over fixed messages (the dead letters of one component), in one chunk. */
function arraySource(messages: readonly Message[]): Source {
  return {
    type: "dead_letter_replay",
    async *read() {
      yield { messages };
    },
  };
}

/** Remembers which message ids the wrapped sink accepted (a write resolved, minus its failed indexes). */
function recordingSink(sink: Sink, accepted: Set<string>): Sink {
  const wrapped: Sink = {
    type: sink.type,
    write: async (batch, ctx) => {
      const result = await sink.write(batch, ctx);
      const failed = new Set(result && Array.isArray(result.failed) ? result.failed.map((f) => f.index) : []);
      batch.forEach((m, i) => {
        if (!failed.has(i)) accepted.add(m.id);
      });
      return result;
    },
    classifyError: (error) => sink.classifyError?.(error),
    open: async (ctx) => sink.open?.(ctx),
    close: async () => sink.close?.(),
  };
  return wrapped;
}

/**
 * Re-sends dead letters through the pipeline as configured now (after a fix): a record a sink
 * refused goes to that sink again; one a transform rejected goes through that transform and the
 * ones after it, then to every sink. Retries, batching and bisecting are the engine's. Idempotent:
 * what went is recorded in a ledger beside the file and skipped next time; what is refused again
 * stays, with its new reason.
 */
const POOL_PREFIX = `${TRANSFORM_POOL_ID}/`;

export async function replayDeadLetters(
  pipeline: ValidatedPipeline,
  file: string,
  logger: Logger,
): Promise<ReplayReport> {
  const { entries, unreadable } = readEntries(file);
  const ledger = readLedger(file);
  const deps = { logger, baseDir: pipeline.baseDir };
  const pending = entries.filter((e) => !ledger.has(e.key));
  const skipped: { id: string; component: string; reason: string }[] = [];
  const refused: { id: string; component: string; reason: string }[] = [];
  const delivered: Record<string, number> = {};
  let undelivered = 0;

  // Group by where the record failed; the same message dead-lettered twice is sent once.
  const groups = new Map<string, Map<string, Entry[]>>();
  for (const entry of pending) {
    const { record } = entry;
    const sinkIndex =
      record.stage === "sink" ? pipeline.sinks.findIndex((s) => s.id === record.component) : -1;
    // With `transformWorkers`, a transform's dead letters name it under the pool: "transforms/<id>".
    const transformId = record.component.startsWith(POOL_PREFIX)
      ? record.component.slice(POOL_PREFIX.length)
      : record.component;
    const transformIndex =
      record.stage === "transform" ? pipeline.transforms.findIndex((t) => t.id === transformId) : -1;
    if (record.stage === "source") {
      skipped.push({
        id: record.message.id,
        component: record.component,
        reason: "the source could not decode this row; fix it at the source",
      });
      continue;
    }
    if (sinkIndex < 0 && transformIndex < 0) {
      skipped.push({
        id: record.message.id,
        component: record.component,
        reason: `no ${record.stage} "${record.component}" in ${pipeline.file}`,
      });
      continue;
    }
    const group = groups.get(record.component) ?? new Map<string, Entry[]>();
    const same = group.get(record.message.id) ?? [];
    same.push(entry);
    group.set(record.message.id, same);
    groups.set(record.component, group);
  }

  for (const [component, byId] of groups) {
    const first = [...byId.values()][0]![0]!.record;
    const messages = [...byId.values()].map((same) => {
      const { message } = same[0]!.record;
      return createMessage(message.id, message.value, message.meta, message.sizeBytes);
    });
    const accepted = new Set<string>();
    const refusedNow = new MemorySink<DeadLetterRecord>();
    const transforms: { id: string; transform: Transform }[] = [];
    const sinks: ConstructorParameters<typeof Pipeline>[0]["sinks"][number][] = [];
    const targets =
      first.stage === "sink" ? pipeline.sinks.filter((s) => s.id === component) : pipeline.sinks;
    if (first.stage === "transform") {
      const from = pipeline.transforms.findIndex((t) => t.id === component);
      for (const t of pipeline.transforms.slice(from)) {
        transforms.push({
          id: t.id,
          transform: (await t.definition.create(t.config as never, deps)) as Transform,
        });
      }
    }
    for (const s of targets) {
      const sink = (await s.definition.create(s.config as never, deps)) as Sink;
      sinks.push({
        id: s.id,
        sink: recordingSink(sink, accepted),
        // Replays keep the sink's batching and retries (as `run` would), not its concurrency.
        ...(s.settings.batch ? { batch: s.settings.batch } : {}),
        ...(s.settings.retry ? { retry: s.settings.retry } : {}),
      });
    }
    const engine = new Pipeline({
      id: `${pipeline.config.id}-replay`,
      source: arraySource(messages),
      transforms,
      sinks,
      deadLetter: refusedNow,
      logger,
    });
    let report: Awaited<ReturnType<Pipeline["runCycle"]>>;
    try {
      await engine.open();
      report = await engine.runCycle();
    } finally {
      await engine.close();
    }
    undelivered += report.unacknowledged;
    const refusedIds = new Set<string>();
    for (const r of refusedNow.values) {
      refusedIds.add(r.message.id);
      refused.push({ id: r.message.id, component: r.component, reason: r.error.message });
    }
    // A transform's record went when nothing it produced was refused and every sink took its outputs.
    const went = (id: string): boolean =>
      first.stage === "sink"
        ? accepted.has(id)
        : report.unacknowledged === 0 && ![...refusedIds].some((r) => r === id || r.startsWith(`${id}`));
    const keys: string[] = [];
    for (const [id, same] of byId) {
      if (!went(id)) continue;
      delivered[component] = (delivered[component] ?? 0) + 1;
      for (const e of same) keys.push(e.key);
    }
    // Durable before the next group: a crash after this must not send these again.
    if (keys.length > 0) appendFileSync(ledgerPath(file), `${keys.join("\n")}\n`, { flush: true });
  }

  return {
    file: resolve(file),
    total: entries.length,
    alreadyReplayed: entries.length - pending.length,
    delivered,
    refused,
    undelivered,
    skipped,
    unreadable,
  };
}
