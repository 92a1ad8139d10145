/**
 * A set of 64-bit id hashes in one typed array (open addressing, linear probing): 8 bytes per slot,
 * kept between 3/8 and 3/4 full, so 11–21 bytes per id and nothing for the garbage collector to
 * trace. Ids are never removed one by one: a whole set is dropped when its time bucket leaves the
 * window.
 */
export class IdHashSet {
  private slots: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 16) {
    let capacity = 16;
    while (capacity * 0.75 < expected) capacity *= 2;
    this.slots = new Uint32Array(capacity * 2);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Memory held, in bytes. */
  get byteSize(): number {
    return this.slots.byteLength;
  }

  has(hi: number, lo: number): boolean {
    const slots = this.slots;
    for (let i = lo & this.mask; ; i = (i + 1) & this.mask) {
      const h = slots[2 * i]!;
      const l = slots[2 * i + 1]!;
      if (h === 0 && l === 0) return false;
      if (h === hi && l === lo) return true;
    }
  }

  /** True when the hash was not in the set. */
  add(hi: number, lo: number): boolean {
    if ((this.count + 1) * 4 > (this.mask + 1) * 3) this.grow();
    const slots = this.slots;
    for (let i = lo & this.mask; ; i = (i + 1) & this.mask) {
      const h = slots[2 * i]!;
      const l = slots[2 * i + 1]!;
      if (h === 0 && l === 0) {
        slots[2 * i] = hi;
        slots[2 * i + 1] = lo;
        this.count++;
        return true;
      }
      if (h === hi && l === lo) return false;
    }
  }

  /**
   * The hashes whose top `bits` bits equal `part`, as 8 bytes each (hi, lo little-endian): the
   * stored form, split so no stored value outgrows a Kafka record.
   */
  encodePart(bits: number, part: number): Buffer {
    const slots = this.slots;
    const out = Buffer.allocUnsafe(this.count * 8);
    let n = 0;
    for (let i = 0; i < slots.length; i += 2) {
      const hi = slots[i]!;
      const lo = slots[i + 1]!;
      if (hi === 0 && lo === 0) continue;
      if (bits > 0 && hi >>> (32 - bits) !== part) continue;
      out.writeUInt32LE(hi, n);
      out.writeUInt32LE(lo, n + 4);
      n += 8;
    }
    return out.subarray(0, n);
  }

  /** Adds every hash of an encoded part; false when the bytes are not a whole number of hashes. */
  addEncoded(bytes: Buffer): boolean {
    if (bytes.length % 8 !== 0) return false;
    for (let n = 0; n < bytes.length; n += 8) {
      const hi = bytes.readUInt32LE(n);
      const lo = bytes.readUInt32LE(n + 4);
      if (hi === 0 && lo === 0) return false;
      this.add(hi, lo);
    }
    return true;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.mask = old.length - 1;
    this.count = 0;
    for (let i = 0; i < old.length; i += 2) {
      const hi = old[i]!;
      const lo = old[i + 1]!;
      if (hi !== 0 || lo !== 0) this.add(hi, lo);
    }
  }
}
