// Tracing's cost on the engine's hot path. Figures:
//  - tracingOffMessagesPerCpuSec / tracingOnMessagesPerCpuSec: the core workload (generate → 2 map
//    transforms → null sink) with no SDK, and with an SDK tracer provider registered as the runner
//    does (10 % sampling, W3C propagation, no context manager);
//  - tracingOverhead = on ÷ off (acceptance ≥ 0.95): the median of per-pair ratios, the two modes
//    alternating in one child process and measured in CPU time, so machine load and JIT state
//    weigh alike on both.
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const CHILD = join(here, "support/tracing-overhead-child.ts");
const PAIRS = 10;

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<Record<string, number>> {
  const out = execFileSync(
    process.execPath,
    ["--conditions=@pipekit/source", "--import", "tsx", CHILD, String(PAIRS)],
    { cwd: join(here, ".."), encoding: "utf8" },
  );
  const { off, on } = JSON.parse(out.trim().split("\n").at(-1)!) as { off: number[]; on: number[] };
  return {
    tracingOffMessagesPerCpuSec: Math.round(median(off)),
    tracingOnMessagesPerCpuSec: Math.round(median(on)),
    tracingOverhead: Math.round(median(on.map((v, i) => v / off[i]!)) * 1000) / 1000,
  };
}
