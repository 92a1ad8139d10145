import { AssignerProtocol } from "@pipekit/kafka-connection";
import type { PartitionAssigner } from "kafkajs";
import { balanceShards } from "./balance-shards.js";

export const WEIGHTED_ASSIGNER_NAME = "PipekitWeightedShards";

/**
 * A partition assignor for the coordination topic (Kafka's group protocol runs it in the elected
 * leader; the broker's coordinator stays in charge of membership). Hashing tables into shards
 * leaves some shards heavier than others, so plain round robin can give one member far more
 * tables. Each member announces, in its join metadata, how many partition keys (tables) it knows
 * per shard (from the checkpoint topic); the leader balances by those weights. Members that know
 * nothing yet announce zeros, and the result is a round robin.
 */
export function weightedShardAssigner(topic: string, weights: () => readonly number[]): PartitionAssigner {
  return ({ cluster }) => ({
    name: WEIGHTED_ASSIGNER_NAME,
    version: 1,
    protocol: ({ topics }) => ({
      name: WEIGHTED_ASSIGNER_NAME,
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: 1,
        topics,
        userData: Buffer.from(JSON.stringify({ weights: weights() })),
      }),
    }),
    async assign({ members }) {
      const shardCount = cluster.findTopicPartitionMetadata(topic).length;
      // Members should agree; the largest count per shard covers one that has read less so far.
      const known = new Array<number>(shardCount).fill(0);
      for (const member of members) {
        for (const [shard, weight] of announcedWeights(member.memberMetadata).entries()) {
          if (shard < shardCount) known[shard] = Math.max(known[shard]!, weight);
        }
      }
      const plan = balanceShards(
        members.map((m) => m.memberId),
        shardCount,
        (shard) => known[shard] ?? 0,
      );
      return members.map((m) => ({
        memberId: m.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: { [topic]: plan.get(m.memberId) ?? [] },
          userData: Buffer.alloc(0),
        }),
      }));
    },
  });
}

function announcedWeights(metadata: Buffer): number[] {
  try {
    const userData = AssignerProtocol.MemberMetadata.decode(metadata)?.userData;
    const parsed = userData ? (JSON.parse(userData.toString()) as { weights?: unknown }) : {};
    return Array.isArray(parsed.weights)
      ? parsed.weights.map((w) => (typeof w === "number" && Number.isFinite(w) && w > 0 ? w : 0))
      : [];
  } catch {
    return []; // a member of another version: it weighs nothing, the plan stays valid
  }
}
