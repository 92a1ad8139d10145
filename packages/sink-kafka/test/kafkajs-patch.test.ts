import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

/**
 * The workspace installs kafkajs with patches/kafkajs@2.2.4.patch (varints written in place,
 * encoders sized up front, linear grouping by partition). The broker tests show the batches are
 * accepted and kcat reads them; these hold the patched pieces to the wire format itself.
 */
const require = createRequire(import.meta.url);
type EncoderInstance = {
  writeVarInt(v: number): EncoderInstance;
  writeVarLong(v: unknown): EncoderInstance;
  buffer: Buffer;
};
const Encoder = require("kafkajs/src/protocol/encoder") as {
  new (size?: number): EncoderInstance;
  sizeOfVarLong(v: unknown): number;
};
const Decoder = require("kafkajs/src/protocol/decoder") as new (
  buffer: Buffer,
) => { readVarLong(): { toString(): string }; readVarInt(): number };
const Long = require("kafkajs/src/utils/long") as { fromString(s: string): unknown };
const groupMessagesPerPartition = require("kafkajs/src/producer/groupMessagesPerPartition") as (args: {
  topic: string;
  partitionMetadata: unknown[];
  messages: { partition: number; value: string }[];
  partitioner: (a: { message: { partition: number } }) => number;
}) => Record<string, { value: string }[]>;

/** Protocol varint (zigzag, then LEB128) computed from the definition, with BigInt. */
function referenceVarint(value: bigint): number[] {
  let z = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  const bytes: number[] = [];
  while (z >= 0x80n) {
    bytes.push(Number((z & 0x7fn) | 0x80n));
    z >>= 7n;
  }
  bytes.push(Number(z));
  return bytes;
}

describe("patched kafkajs encoder", () => {
  it("writes varlongs as the protocol defines them, numbers and Longs alike", () => {
    const edges = [
      0,
      1,
      -1,
      63,
      -64,
      64,
      2 ** 30 - 1,
      -(2 ** 30),
      2 ** 30,
      -(2 ** 30) - 1,
      2 ** 31,
      2 ** 53 - 1,
    ];
    const values = fc.oneof(fc.constantFrom(...edges.map(BigInt)), fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n));
    fc.assert(
      fc.property(values, (v) => {
        const safe = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);
        const input = safe ? Number(v) : Long.fromString(v.toString());
        const bytes = new Encoder(0).writeVarLong(input).buffer;
        expect([...bytes]).toEqual(referenceVarint(v));
        expect(Encoder.sizeOfVarLong(input)).toBe(bytes.length);
        expect(new Decoder(bytes).readVarLong().toString()).toBe(v.toString());
      }),
      { numRuns: 2000 },
    );
  });

  it("writes varints in place, growing the buffer as needed", () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { minLength: 1, maxLength: 200 }), (ints) => {
        const encoder = new Encoder(0);
        for (const v of ints) encoder.writeVarInt(v);
        expect([...encoder.buffer]).toEqual(ints.flatMap((v) => referenceVarint(BigInt(v))));
        const decoder = new Decoder(encoder.buffer);
        expect(ints.map(() => decoder.readVarInt())).toEqual(ints);
      }),
    );
  });

  it("groups messages per partition in their order", () => {
    const messages = Array.from({ length: 1000 }, (_, i) => ({ partition: (i * 7) % 3, value: `m${i}` }));
    const grouped = groupMessagesPerPartition({
      topic: "t",
      partitionMetadata: [{}, {}, {}],
      messages,
      partitioner: ({ message }) => message.partition,
    });
    expect(Object.keys(grouped).sort()).toEqual(["0", "1", "2"]);
    for (const p of [0, 1, 2]) {
      expect(grouped[p]).toEqual(messages.filter((m) => m.partition === p));
    }
  });
});
