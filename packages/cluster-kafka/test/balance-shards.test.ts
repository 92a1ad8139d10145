import { describe, expect, it } from "vitest";
import { balanceShards } from "../src/index.js";

describe("balanceShards", () => {
  it("is a round robin when nothing is known about the shards", () => {
    const plan = balanceShards(["m-b", "m-a", "m-c"], 12, () => 0);
    expect([...plan.values()].map((s) => s.length)).toEqual([4, 4, 4]);
    expect([...plan.values()].flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it("balances work, not shard counts, when shards weigh differently", () => {
    // Shard sizes as hashing 121 tables into 12 shards can leave them.
    const sizes = [14, 6, 13, 7, 12, 8, 15, 9, 11, 10, 9, 7];
    const plan = balanceShards(["a", "b"], 12, (s) => sizes[s]!);
    const loads = [...plan.values()].map((shards) => shards.reduce((n, s) => n + sizes[s]!, 0));
    expect(loads.reduce((a, b) => a + b)).toBe(121);
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
    // Round robin on the same sizes would give 69 / 52.
    const three = [...balanceShards(["a", "b", "c"], 12, (s) => sizes[s]!).values()].map((shards) =>
      shards.reduce((n, s) => n + sizes[s]!, 0),
    );
    expect(Math.max(...three)).toBeLessThanOrEqual(41);
  });

  it("is deterministic whatever the order members are listed in", () => {
    const w = (s: number) => (s * 7) % 5;
    expect(balanceShards(["x", "y", "z"], 9, w)).toEqual(balanceShards(["z", "x", "y"], 9, w));
  });
});
