import { MemorySink } from "../src/builtins.js";

export { ArraySource, chunked, ManualSource, messages, ScriptedSink } from "../src/testing/index.js";

/** Dead letters kept in memory; `records` are the DeadLetterRecord values. */
export function deadLetterSink(): MemorySink {
  return new MemorySink();
}

/** Poll a condition until true or fail after `timeoutMs` (real timers). */
export async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met before the deadline");
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Let pending I/O callbacks and promise chains run (not a sleep: no wall-clock wait). */
export async function settleEventLoop(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}
