/**
 * Shards → members, balancing work rather than shard counts: heaviest shard first, each to the
 * member with the least weight so far (then fewest shards, then member order). With no weights
 * known every shard weighs the same and this is a round robin. Deterministic for its inputs, so the
 * group leader's answer does not depend on timing.
 */
export function balanceShards(
  memberIds: readonly string[],
  shardCount: number,
  weightOf: (shard: number) => number,
): Map<string, number[]> {
  const members = [...memberIds].sort();
  const load = members.map(() => ({ weight: 0, shards: [] as number[] }));
  const order = Array.from({ length: shardCount }, (_, shard) => shard).sort(
    (a, b) => weightOf(b) - weightOf(a) || a - b,
  );
  for (const shard of order) {
    let best = 0;
    for (let i = 1; i < load.length; i++) {
      const c = load[i]!;
      const b = load[best]!;
      if (c.weight < b.weight || (c.weight === b.weight && c.shards.length < b.shards.length)) best = i;
    }
    load[best]!.weight += weightOf(shard);
    load[best]!.shards.push(shard);
  }
  return new Map(members.map((id, i) => [id, load[i]!.shards.sort((a, b) => a - b)]));
}
