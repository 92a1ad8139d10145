import { describe, expect, it } from "vitest";
import { DeliveredSet } from "../src/checkpoint/delivered-set.js";
import { recordingLogger } from "./helpers.js";

describe("DeliveredSet", () => {
  it("round-trips through its JSON position and tells delivered, new and late rows apart", () => {
    const logger = recordingLogger();
    const first = DeliveredSet.fromPosition(undefined, 100, "t", logger);
    first.add("a", 1_000);
    first.add("b", 2_000);
    const stored = JSON.parse(JSON.stringify(first.toPosition(3_000)));

    const second = DeliveredSet.fromPosition(stored, 100, "t", logger);
    expect(second.isDelivered("a", 1_000)).toBe(true);
    expect(second.isDelivered("c", 1_500)).toBe(false);
    expect(second.isLate(1_500)).toBe(true); // older than the last window's end: it landed late
    expect(second.isLate(3_500)).toBe(false);
  });

  it("prunes ids that fell out of the window", () => {
    const set = DeliveredSet.fromPosition(undefined, 100, "t", recordingLogger());
    set.add("old", 1_000);
    set.add("new", 5_000);
    set.prune(2_000);
    expect(set.size).toBe(1);
    expect(set.toPosition(6_000).delivered).toEqual([["new", 5_000]]);
  });

  it("stays under its cap by raising a floor, and says so once", () => {
    const logger = recordingLogger();
    const set = DeliveredSet.fromPosition(undefined, 10, "cat.sch.tbl", logger);
    for (let i = 0; i < 25; i++) set.add(`id-${i}`, 1_000 + i);
    expect(set.size).toBeLessThanOrEqual(10);
    expect(set.floor).not.toBeNull();
    // Everything below the floor counts as delivered (never re-sent), newer ids are still tracked.
    expect(set.isDelivered("never-seen", set.floor! - 1)).toBe(true);
    expect(set.isDelivered("id-24", 1_024)).toBe(true);
    expect(set.isDelivered("unknown", 1_024)).toBe(false);
    const warnings = logger.lines.filter((l) => l.level === "warn");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/cap exceeded/);
    expect(warnings[0]!.obj).toMatchObject({ table: "cat.sch.tbl", cap: 10 });
  });

  it("ignores a position it does not understand instead of failing", () => {
    const logger = recordingLogger();
    const set = DeliveredSet.fromPosition({ offset: 12 }, 100, "t", logger);
    expect(set.size).toBe(0);
    expect(logger.lines.some((l) => l.level === "warn")).toBe(true);
  });
});
