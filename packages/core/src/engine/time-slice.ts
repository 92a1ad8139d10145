import { setImmediate } from "node:timers";

/**
 * Longest stretch, in ms, that synchronous transforms run before the chain lets the event loop in.
 * A chunk (2,000 rows by default) through redact and mapping takes ~100 ms of CPU; run in one go,
 * it kept a sink's acknowledgement waiting just as long, and with one produce in flight at a time
 * the Kafka lane sat idle while we transformed and we sat idle while it sent (bench/e2e.ts: the
 * lane was busy 92% of the run at ~118 ms per 500 records, the main thread idle 17%). Emitting
 * what is done and yielding every few ms lets the sink send, and compress in the thread pool,
 * while the next messages are transformed.
 */
const TIME_SLICE_MS = 4;
/** How many messages between two looks at the clock (reading it costs little, but not nothing). */
const SLICE_CHECK_EVERY = 8;

/** After pending I/O callbacks (a sink's response), unlike a microtask; not a timer fake timers own. */
export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** When a slice started now ends (performance.now() time). */
export function sliceEndsAt(): number {
  return performance.now() + TIME_SLICE_MS;
}

/** Whether the slice ending at `end` is over, `done` messages into it (the clock is read every few). */
export function sliceIsOver(end: number, done: number): boolean {
  return done % SLICE_CHECK_EVERY === SLICE_CHECK_EVERY - 1 && performance.now() >= end;
}
