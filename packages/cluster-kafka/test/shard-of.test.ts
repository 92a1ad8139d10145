import { describe, expect, it } from "vitest";
import { shardOf } from "../src/index.js";

describe("shardOf", () => {
  it("is stable: the same key always lands on the same shard (every process agrees)", () => {
    expect(shardOf("workspace.default.support_agent_payload", 12)).toBe(
      shardOf("workspace.default.support_agent_payload", 12),
    );
    // Pinned values: a change of hash would silently move every table's checkpoint owner.
    expect([shardOf("a", 12), shardOf("workspace.default.t", 12), shardOf("x.y.z", 7)]).toEqual([9, 7, 3]);
    expect(shardOf("a", 1)).toBe(0);
  });

  it("spreads keys roughly evenly", () => {
    const counts = new Array<number>(12).fill(0);
    for (let i = 0; i < 1200; i++) counts[shardOf(`workspace.default.agent_${i}_payload`, 12)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(60);
    expect(Math.max(...counts)).toBeLessThan(140);
  });

  it("rejects a shard count that is not a positive integer", () => {
    expect(() => shardOf("a", 0)).toThrow(/shards must be a positive integer/);
    expect(() => shardOf("a", 1.5)).toThrow(/shards must be a positive integer/);
  });
});
