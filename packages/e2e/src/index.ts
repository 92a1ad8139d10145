// Shared harness for the end-to-end, crash and fault suites (and bench/crash.ts, bench/e2e.ts).
// Each concept lives in its own folder; this file only re-exports.
export {};
