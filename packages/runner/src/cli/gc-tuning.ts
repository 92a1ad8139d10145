import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { entryScriptPath } from "./entry-script.js";

/**
 * How far V8 lets the old space grow past what survived the last full collection, in percent.
 * By default V8 picks up to 300% when collections are cheap; a pipeline promotes every message
 * that waits for its sink (they outlive two scavenges), so a `pipeline run` with ~35 MB live grew
 * to ~150 MB of heap, mostly dead messages, before it collected (bench/file.ts: 243 MB RSS over
 * 1M lines). 30% keeps the heap near what is live at the same throughput (the extra full
 * collections are cheap because the live heap is small). It is a growth heuristic, not a limit:
 * a pipeline that really needs more heap still gets it, up to the usual --max-old-space-size.
 */
export const HEAP_GROWING_PERCENT = 30;

/**
 * Largest semi-space the CLI lets V8 grow the young generation to, in MiB (V8's own ceiling is
 * 16 MiB, i.e. 32 MiB of new space). Parsing the CLI's module graph, before any of its code runs,
 * already takes the semi-space from 1 to 4 MiB, so this is also where it stays. Measured on
 * bench/file.ts (1M lines of 1 KiB through redact): peak RSS 119 → 93 MB, wall time 24.6 →
 * 27.3 s. Only node flags can fix a smaller size from the start (the cap cannot shrink what
 * parsing grew): --max-semi-space-size=2 gave 103 MB / 26.8 s, =1 95 MB / 29.2 s.
 */
export const MAX_SEMI_SPACE_MB = 4;

/** How often the young generation's size is looked at while it may still grow (see capYoungGeneration). */
const YOUNG_GENERATION_POLL_MS = 10;

/** Whether the operator already chose a V8 flag matching `name` (node flags or NODE_OPTIONS). */
function chosenByOperator(name: RegExp, execArgv: readonly string[], nodeOptions: string): boolean {
  return execArgv.some((a) => name.test(a)) || name.test(nodeOptions);
}

/**
 * Sets the growth heuristic for this process unless the operator chose one (NODE_OPTIONS or node
 * flags). Unlike heap limits, which V8 fixes when the heap is created, this flag is read at each
 * full collection, so setting it at start-up takes effect.
 */
export function tuneGarbageCollection(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? "",
): boolean {
  if (chosenByOperator(/--heap[-_]growing[-_]percent/, execArgv, nodeOptions)) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}

/** Size of one semi-space now, in bytes (new_space holds two of them). */
export function semiSpaceBytes(): number {
  const newSpace = getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
  return (newSpace?.space_size ?? 0) / 2;
}

/**
 * Keeps the young generation at about `maxSemiSpaceMB` per semi-space unless the operator chose
 * its size. `--max-semi-space-size` is fixed when the heap is created (setting it later does
 * nothing), but V8 reads `--semi-space-growth-factor` each time a scavenge decides to grow the
 * semi-spaces: so growth is off (factor 1) while the semi-space is at the cap and doubles (the
 * default factor 2) while it is below. Growth happens inside a scavenge, so a timer looks at the
 * size (growth starts off: module evaluation is a synchronous burst no timer interrupts). An
 * overshoot (two doublings between two looks) costs memory, not correctness. Returns a stop function, or undefined when the operator's flags decide.
 */
export function capYoungGeneration(
  maxSemiSpaceMB = MAX_SEMI_SPACE_MB,
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? "",
): (() => void) | undefined {
  if (
    chosenByOperator(
      /--(max|min)[-_]semi[-_]space[-_]size|--semi[-_]space[-_]growth[-_]factor/,
      execArgv,
      nodeOptions,
    )
  )
    return undefined;
  const cap = maxSemiSpaceMB * 2 ** 20;
  let factor = 0;
  const setFactor = (next: number) => {
    if (next === factor) return;
    factor = next;
    setFlagsFromString(`--semi-space-growth-factor=${next}`);
  };
  setFactor(1);
  const timer = setInterval(() => setFactor(semiSpaceBytes() < cap ? 2 : 1), YOUNG_GENERATION_POLL_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    setFactor(2);
  };
}

/**
 * Whether `script` (the process's entry) is the binary `entryName` in the folder of `moduleUrl`
 * (the binary's own tuning module, imported first by it): a test or a program importing the
 * binary's modules is not, and keeps its own V8 settings.
 */
export function isBinaryEntry(moduleUrl: string, entryName: RegExp, script = entryScriptPath()): boolean {
  return (
    script !== undefined && entryName.test(script) && dirname(script) === dirname(fileURLToPath(moduleUrl))
  );
}

/**
 * For a binary's first import (`@pipekit/runner/gc-tuning`): both settings above, when that binary
 * is what the process runs. Returns whether it tuned.
 */
export function tuneWhenEntry(moduleUrl: string, entryName: RegExp): boolean {
  if (!isBinaryEntry(moduleUrl, entryName)) return false;
  tuneGarbageCollection();
  capYoungGeneration();
  return true;
}
