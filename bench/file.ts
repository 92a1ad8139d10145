/**
 * The plain engine from a user's seat: a YAML pipeline `jsonl_file` → `redact` → `jsonl_file` over
 * 1,000,000 lines of about 1 KiB, run as a real `pipeline run <file>` child process. `redact` is the
 * transform because it is the one general-purpose transform the YAML registry has (the other is
 * akto_mapping, which only takes agent executions); a user cleaning a log file would pick it.
 *   fileToFilePeakRssMB     peak RSS of the `pipeline run` process (kernel high-water mark, VmHWM)
 *   fileToFileLinesPerSec   lines ÷ wall time of the process (start → exit, module loading included)
 *   fileToFileComplete      1 when every input id arrived exactly once in the output file
 *   fileToFileSmallHeapPeakRssMB / fileToFileSmallHeapLinesPerSec  the same run with the V8 limits
 *                           bench/README.md suggests for a small container (SMALL_HEAP_FLAGS)
 *   fileToFileBaselineRssMB peak RSS of the same CLI running the same pipeline over 10 lines: the
 *                           fixed cost (Node and the modules), so the peak minus this is what the data costs
 */
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const LINES = Number(process.env.BENCH_FILE_LINES ?? 1_000_000);
const LINE_BYTES = 1024;
const SAMPLE_EVERY_MS = 100;
const MAX_RUN_MS = 600_000;
const MB = 2 ** 20;
/**
 * The CLI already keeps V8's old space near the live heap and its young generation at 2–4 MiB
 * semi-spaces (packages/runner/src/cli/gc-tuning.ts). What it cannot change from inside the
 * process is the old-space cap, fixed when the heap is created (v8.setFlagsFromString does not
 * move it). These flags are what an operator of a small container would add in NODE_OPTIONS (an
 * operator's --max-semi-space-size replaces the CLI's own young-generation cap); 128 MB of old
 * space leaves room for the default in-flight budget of 10,000 messages of a few KiB (a budget of
 * large messages needs a larger cap, or the run fails with OOM).
 */
const SMALL_HEAP_FLAGS = ["--max-semi-space-size=4", "--max-old-space-size=128"];

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/**
 * The built CLI, as `pipeline` is installed: under tsx the same process is ~50 MB bigger (the loader
 * and its transpile cache), which would measure the dev setup rather than the pipeline. The build is
 * brought up to date first (incremental, a no-op when nothing changed).
 */
const CLI = join(REPO, "packages/runner/dist/cli/pipeline.js");
/** BENCH_FILE_NODE_FLAGS adds V8/Node flags to the `pipeline run` process (e.g. to compare GC settings). */
const NODE_ARGS: readonly string[] = process.env.BENCH_FILE_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? [];

function buildRunner(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-b", join(REPO, "packages/runner/tsconfig.json")], {
    cwd: REPO,
    stdio: ["ignore", "inherit", "inherit"],
  });
}

const WORDS =
  "the agent called the billing tool then summarised the invoice for the customer and asked a follow up question about the refund window".split(
    " ",
  );

/** One ~1 KiB JSON line: an id first (so the check can read it without parsing), some PII to redact, prose. */
function line(id: number): string {
  const head = `{"id":${id},"user":"user${id}@example.com","ip":"10.${(id >> 16) & 255}.${(id >> 8) & 255}.${id & 255}","level":"info","message":"`;
  let text = "";
  for (let w = id % WORDS.length; head.length + text.length < LINE_BYTES - 40; w++)
    text += `${WORDS[w % WORDS.length]} `;
  return `${head}${text.trimEnd()}","seq":${id},"ok":true}\n`;
}

async function writeInput(path: string, lines: number): Promise<void> {
  const out = createWriteStream(path);
  const perWrite = 1000;
  for (let from = 0; from < lines; from += perWrite) {
    let text = "";
    for (let id = from; id < Math.min(lines, from + perWrite); id++) text += line(id);
    if (!out.write(text)) await once(out, "drain");
  }
  await new Promise<void>((done, fail) => out.end((error?: Error | null) => (error ? fail(error) : done())));
}

function pipelineYaml(dir: string): string {
  return `id: bench-file
source:
  type: jsonl_file
  path: ${join(dir, "in.jsonl")}
transforms:
  - type: redact
sinks:
  - id: out
    type: jsonl_file
    path: ${join(dir, "out.jsonl")}
checkpoints: { path: ${join(dir, "checkpoints.json")} }
deadLetter: { path: ${join(dir, "dead-letters.jsonl")} }
`;
}

/** VmHWM (peak) and VmRSS (now) of a live process, in kB; undefined once it is gone. */
function memoryOf(pid: number): { hwm: number; rss: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
    return { hwm: kb("VmHWM"), rss: kb("VmRSS") };
  } catch {
    return undefined;
  }
}

interface Run {
  readonly seconds: number;
  readonly peakRssMB: number;
}

/** Runs `pipeline run <yaml> --once` to completion, sampling its memory. */
function runPipeline(yamlPath: string, extraNodeArgs: readonly string[] = []): Promise<Run> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [...extraNodeArgs, ...NODE_ARGS, CLI, "run", yamlPath, "--once", "--no-progress", "--log-level", "warn"],
    { cwd: REPO, stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8000);
  });
  let peakKb = 0;
  const sample = () => {
    const m = child.pid === undefined ? undefined : memoryOf(child.pid);
    if (m) peakKb = Math.max(peakKb, m.hwm, m.rss);
  };
  const sampler = setInterval(sample, SAMPLE_EVERY_MS);
  const killer = setTimeout(() => child.kill("SIGKILL"), MAX_RUN_MS);
  return new Promise((done, fail) => {
    child.once("error", fail);
    // "exit" fires before the process is reaped, so /proc still has its final high-water mark.
    child.once("exit", (code, signal) => {
      sample();
      clearInterval(sampler);
      clearTimeout(killer);
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) fail(new Error(`pipeline run exited with ${code ?? signal}: ${stderr}`));
      else done({ seconds, peakRssMB: peakKb / 1024 });
    });
  });
}

/** Every id 0..lines-1 exactly once in the output, nothing else. */
async function complete(path: string, lines: number): Promise<boolean> {
  const seen = new Uint8Array(lines);
  let count = 0;
  const input = createReadStream(path, { encoding: "utf8", highWaterMark: 1 * MB });
  for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (text === "") continue;
    const id = Number(/^\{"id":(\d+),/.exec(text)?.[1] ?? -1);
    if (!(id >= 0 && id < lines) || seen[id] === 1) return false;
    seen[id] = 1;
    count++;
  }
  return count === lines;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export async function run(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), "pipekit-bench-file-"));
  const smallDir = mkdtempSync(join(tmpdir(), "pipekit-bench-file-small-"));
  try {
    buildRunner();
    await writeInput(join(smallDir, "in.jsonl"), 10);
    writeFileSync(join(smallDir, "pipeline.yaml"), pipelineYaml(smallDir));
    const baseline = await runPipeline(join(smallDir, "pipeline.yaml"));

    await writeInput(join(dir, "in.jsonl"), LINES);
    writeFileSync(join(dir, "pipeline.yaml"), pipelineYaml(dir));
    const full = await runPipeline(join(dir, "pipeline.yaml"));
    const ok = await complete(join(dir, "out.jsonl"), LINES);
    rmSync(join(dir, "out.jsonl"));
    rmSync(join(dir, "checkpoints.json"), { force: true });
    const small = await runPipeline(join(dir, "pipeline.yaml"), SMALL_HEAP_FLAGS);
    const smallOk = await complete(join(dir, "out.jsonl"), LINES);
    return {
      fileToFilePeakRssMB: round1(full.peakRssMB),
      fileToFileBaselineRssMB: round1(baseline.peakRssMB),
      fileToFileLinesPerSec: Math.round(LINES / full.seconds),
      fileToFileSeconds: round1(full.seconds),
      fileToFileComplete: ok && smallOk ? 1 : 0,
      fileToFileSmallHeapPeakRssMB: round1(small.peakRssMB),
      fileToFileSmallHeapLinesPerSec: Math.round(LINES / small.seconds),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(smallDir, { recursive: true, force: true });
  }
}
