/**
 * 64-bit hashes of request ids, as two 32-bit halves. A window of a busy table holds a million ids;
 * as strings in a Map they cost ~100 bytes each, as hashes 8. Two ids of one time bucket collide
 * with probability about n²/2⁶⁵ (1e-11 for a bucket of 20,000 ids), and a collision would make a
 * new row look delivered: that is the price of the bound, documented in docs/checkpoints.md.
 *
 * Two multiplicative lanes over the UTF-16 code units, cross-mixed and finished with murmur3's
 * fmix32 avalanche on each half. Not cryptographic (ids are not chosen by an adversary who could
 * profit from a collision: the worst they could do is hide their own row from Akto, which they
 * could do by not calling the agent).
 */
export interface IdHash {
  hi: number;
  lo: number;
}

export function hashId(id: string, out: IdHash = { hi: 0, lo: 0 }): IdHash {
  let h1 = 0x9e3779b9 ^ id.length;
  let h2 = 0x85ebca6b;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 ^= Math.imul(h2 ^ (h2 >>> 16), 0x85ebca6b);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 0xc2b2ae35);
  out.hi = fmix32(h1) >>> 0;
  out.lo = fmix32(h2 ^ out.hi) >>> 0;
  // (0, 0) marks an empty slot in IdHashSet.
  if (out.hi === 0 && out.lo === 0) out.lo = 1;
  return out;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
