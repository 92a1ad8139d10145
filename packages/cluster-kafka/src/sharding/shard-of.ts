import { createHash } from "node:crypto";
import { checkpointKeyOwner } from "@pipekit/core/advanced";

/**
 * The shard of a partition key (e.g. a table's full name): a stable hash modulo the shard count.
 * Every instance computes the same answer without talking to the others, which is what lets Kafka's
 * partition assignment stand for table ownership. A checkpoint key's auxiliary keys (`<key>#…`) go
 * to the shard of the key they belong to.
 */
export function shardOf(key: string, shards: number): number {
  if (!Number.isInteger(shards) || shards < 1)
    throw new RangeError(`shards must be a positive integer, got ${shards}`);
  return createHash("md5").update(checkpointKeyOwner(key)).digest().readUInt32BE(0) % shards;
}
