import { describe, expect, it } from "vitest";
import { backoffDelay, defaultRetryPolicy } from "../src/advanced.js";

describe("backoffDelay multiplier", () => {
  const top = () => 0.999_999; // the jitter's upper end shows the ceiling
  it("doubles the ceiling per failed try by default", () => {
    const policy = { ...defaultRetryPolicy, initialDelayMs: 100, maxDelayMs: 1e9 };
    expect([1, 2, 3].map((n) => backoffDelay(policy, n, top))).toEqual([99, 199, 399]);
  });
  it("grows by the configured multiplier, still capped by maxDelayMs", () => {
    const policy = { ...defaultRetryPolicy, initialDelayMs: 100, maxDelayMs: 1_000, multiplier: 3 };
    expect([1, 2, 3, 4].map((n) => backoffDelay(policy, n, top))).toEqual([99, 299, 899, 999]);
  });
});
