import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "../src/advanced.js";

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-06-01T12:00:00Z");

  it("reads delay-seconds", () => {
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter(" 120 ", now)).toBe(120_000);
    expect(parseRetryAfter(["3", "9"], now)).toBe(3_000);
    // Fractions are not RFC 9110 delay-seconds, but their meaning is plain.
    expect(parseRetryAfter("0.05", now)).toBe(50);
  });

  it("reads an HTTP-date as the time left until it, never negative", () => {
    expect(parseRetryAfter("Mon, 01 Jun 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Mon, 01 Jun 2026 11:00:00 GMT", now)).toBe(0);
  });

  it("ignores missing or meaningless values", () => {
    for (const v of [undefined, null, "", "-5", "1.", ".5", "soon", "12abc"])
      expect(parseRetryAfter(v, now)).toBeUndefined();
  });
});
