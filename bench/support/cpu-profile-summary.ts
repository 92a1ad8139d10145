/**
 * Where a process's CPU went, per pipeline stage, from a V8 `.cpuprofile` (what `node --cpu-prof`
 * writes). Each sample's time is charged to the function on top of the stack (self time), and that
 * function's script url decides the stage. Self time, not total time, because the stages call
 * each other (the engine calls every transform): totals would count the same time several times.
 */
import { readFileSync } from "node:fs";

export const STAGES = [
  "sourceDecode",
  "normalise",
  "redact",
  "map",
  "encode",
  "kafka",
  "engine",
  "gc",
  "idle",
  "other",
] as const;
export type Stage = (typeof STAGES)[number];

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  /** Microseconds since the previous sample (the first: since the profile started). */
  readonly timeDeltas: readonly number[];
}

/** Ordered: the first rule that matches wins (normalise lives inside the source package). */
const RULES: readonly [Stage, (f: CallFrame) => boolean][] = [
  ["gc", (f) => f.functionName === "(garbage collector)"],
  ["idle", (f) => f.functionName === "(idle)" || f.functionName === "(program)"],
  ["normalise", (f) => /packages\/source-databricks\/(src|dist)\/normalise/.test(f.url)],
  [
    "sourceDecode",
    (f) => /packages\/source-databricks\/|@databricks[/+]sql|\/thrift\/|lz4|apache-arrow/.test(f.url),
  ],
  ["redact", (f) => f.url.includes("packages/redact/")],
  ["map", (f) => /packages\/sink-akto\/(src|dist)\/mapping/.test(f.url)],
  [
    "encode",
    // JSON.stringify is a builtin: its frame has no url, only the name.
    (f) => (f.url === "" && /^(JSON\.)?stringify$/.test(f.functionName)) || /encod/i.test(f.url),
  ],
  ["kafka", (f) => /kafkajs|packages\/sink-kafka\//.test(f.url)],
  ["engine", (f) => f.url.includes("packages/core/")],
];

export function stageOf(frame: CallFrame): Stage {
  for (const [stage, matches] of RULES) if (matches(frame)) return stage;
  return "other";
}

export interface CpuSummary {
  /** Share of the profiled wall time per stage, in percent (sums to 100, idle included). */
  readonly pct: Readonly<Record<Stage, number>>;
  readonly totalMs: number;
  /** The functions with the most self time (idle left out), to show what a stage's share is made of. */
  readonly top: readonly { stage: Stage; functionName: string; url: string; pct: number }[];
}

const TOP_FRAMES = 15;

export function summariseCpuProfile(profile: CpuProfile): CpuSummary {
  const nodeById = new Map(profile.nodes.map((n) => [n.id, n]));
  const stageById = new Map(profile.nodes.map((n) => [n.id, stageOf(n.callFrame)]));
  const micros = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  // The same function appears as many nodes (one per call path): sum them by name and script.
  const byFunction = new Map<string, { stage: Stage; functionName: string; url: string; micros: number }>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const stage = stageById.get(id) ?? "other";
    micros[stage] += delta;
    total += delta;
    const frame = nodeById.get(id)?.callFrame;
    if (!frame || stage === "idle") return;
    const key = `${frame.functionName}@${frame.url}`;
    const entry = byFunction.get(key) ?? {
      stage,
      functionName: frame.functionName,
      url: frame.url,
      micros: 0,
    };
    entry.micros += delta;
    byFunction.set(key, entry);
  });
  const percent = (us: number) => (total === 0 ? 0 : Math.round((us / total) * 1000) / 10);
  const top = [...byFunction.values()]
    .sort((a, b) => b.micros - a.micros)
    .slice(0, TOP_FRAMES)
    .map(({ micros: us, ...frame }) => ({ ...frame, pct: percent(us) }));
  const pct = Object.fromEntries(STAGES.map((s) => [s, percent(micros[s])])) as Record<Stage, number>;
  return { pct, totalMs: total / 1000, top };
}

export function summariseCpuProfileFile(path: string): CpuSummary {
  return summariseCpuProfile(JSON.parse(readFileSync(path, "utf8")) as CpuProfile);
}
