import type { Logger } from "@pipekit/core";
import type { CheckpointView, CheckpointWrites, IncrementalPosition } from "@pipekit/core/advanced";
import { hashId, type IdHash } from "./id-hash.js";
import { IdHashSet } from "./id-hash-set.js";

/**
 * What is stored under a table's own checkpoint key. The ids themselves live under auxiliary keys
 * `<table>#ids@<bucket start>/<part>` (base64 of 8-byte hashes), one group per time bucket, so a
 * commit rewrites only the buckets that changed and pruning drops whole buckets.
 */
export interface DeliveredManifest {
  readonly v: 2;
  /** Everything with a request time up to here was delivered (committed); a window may start no later. */
  readonly scannedUntil: number | null;
  /** Rows older than this count as delivered: raised only when the byte bound forced dropping buckets. */
  readonly floor: number | null;
  readonly bucketMs: number;
  /** [bucket start (epoch ms), number of parts]. */
  readonly buckets: readonly (readonly [number, number])[];
  /** Which process wrote it, and its write count: lets that process reuse its in-memory copy. */
  readonly writer: string;
  readonly gen: number;
}

/** The earlier format: every delivered id of the window copied into each position. */
interface LegacyPosition {
  readonly v: 1;
  readonly scannedUntil?: number | null;
  readonly floor?: number | null;
  readonly delivered?: readonly (readonly [string, number])[];
}

export interface DeliveredIdsOptions {
  readonly table: string;
  /** Bound on the memory of the ids (hash sets), in bytes. Over it the oldest buckets are dropped. */
  readonly maxBytes: number;
  readonly writer: string;
  readonly logger: Logger;
  readonly bucketMs?: number;
  /** Told when the byte bound made the state drop ids (the floor moved up). */
  readonly onFloorRaised?: (floorMs: number) => void;
}

/** Ids per stored part: 16,384 × 8 bytes = 128 KiB (175 KB in base64), well under Kafka's 1 MB record. */
export const IDS_PER_PART = 16_384;
const DEFAULT_BUCKET_MS = 60_000;

interface Bucket {
  readonly set: IdHashSet;
  /** Bumped on every change; equal to `persisted` when the store has this content. */
  version: number;
  persisted: number;
  /** Parts as last stored (0 when never stored). */
  parts: number;
}

/** Ids recorded since the previous position, waiting for that position to be acknowledged. */
interface IdLog {
  readonly seq: number;
  readonly ids: string[];
  readonly times: number[];
  readonly scannedUntil: number;
}

export function bucketKey(table: string, start: number, part: number): string {
  return `${table}#ids@${start}/${part}`;
}

/**
 * The delivered request ids of one table's look-back window: what lets every cycle re-read the whole
 * window, catch late rows and send nothing twice. Ids read this cycle stay pending (checked, not
 * stored) until the position covering them is flushed — which the engine does only after every
 * message up to it was acknowledged — and are then folded into per-time-bucket hash sets. A chunk's
 * position is an O(1) handle; see docs/checkpoints.md.
 */
export class DeliveredIds {
  private readonly buckets = new Map<number, Bucket>();
  /** Buckets dropped since the last durable write → their stored part count (to delete). */
  private readonly removed = new Map<number, number>();
  private pending = new Map<string, number>();
  private logs: IdLog[] = [];
  private open: { ids: string[]; times: number[] } = { ids: [], times: [] };
  private seq = 0;
  private floorMs: number | null = null;
  private committedScan: number | null = null;
  /** `scannedUntil` when this cycle began: rows older than it that were not delivered landed late. */
  private cycleScan: number | null = null;
  private gen = 0;
  /** The stored manifest this state matches (loaded or last written by us); undefined: none stored. */
  private known: { readonly writer: string; readonly gen: number } | undefined;
  private bytes = 0;
  private floorWarned = false;
  private readonly bucketMs: number;
  private readonly hash: IdHash = { hi: 0, lo: 0 };

  constructor(private readonly options: DeliveredIdsOptions) {
    this.bucketMs = options.bucketMs ?? DEFAULT_BUCKET_MS;
  }

  /** Reads a table's state from the checkpoints (empty when there is none or it is unreadable). */
  static async load(view: CheckpointView, options: DeliveredIdsOptions): Promise<DeliveredIds> {
    const raw = await view.get(options.table);
    if (raw === undefined || raw === null) return new DeliveredIds(options);
    const manifest = raw as Partial<DeliveredManifest> & Partial<LegacyPosition>;
    if (manifest.v === 1 && Array.isArray(manifest.delivered)) {
      return DeliveredIds.fromLegacy(manifest as LegacyPosition, options);
    }
    if (manifest.v !== 2 || !Array.isArray(manifest.buckets) || typeof manifest.bucketMs !== "number") {
      options.logger.warn(
        { table: options.table },
        "ignoring a checkpoint in an unknown format; the window is read as new",
      );
      return new DeliveredIds(options);
    }
    const state = new DeliveredIds({ ...options, bucketMs: manifest.bucketMs });
    state.floorMs = typeof manifest.floor === "number" ? manifest.floor : null;
    state.committedScan = typeof manifest.scannedUntil === "number" ? manifest.scannedUntil : null;
    if (typeof manifest.writer === "string" && typeof manifest.gen === "number") {
      state.known = { writer: manifest.writer, gen: manifest.gen };
    }
    let unreadable = 0;
    for (const [start, parts] of manifest.buckets) {
      const set = new IdHashSet();
      for (let part = 0; part < parts; part++) {
        const value = await view.get(bucketKey(options.table, start, part));
        if (typeof value !== "string" || !set.addEncoded(Buffer.from(value, "base64"))) unreadable++;
      }
      state.buckets.set(start, { set, version: 1, persisted: 1, parts });
      state.bytes += set.byteSize;
    }
    if (unreadable > 0) {
      // Missing ids can only cause re-sends (at-least-once), never a lost row.
      options.logger.warn(
        { table: options.table, unreadableParts: unreadable },
        "some stored id parts are missing or damaged; rows they held may be sent again",
      );
    }
    return state;
  }

  private static fromLegacy(position: LegacyPosition, options: DeliveredIdsOptions): DeliveredIds {
    const state = new DeliveredIds(options);
    state.floorMs = typeof position.floor === "number" ? position.floor : null;
    state.committedScan = typeof position.scannedUntil === "number" ? position.scannedUntil : null;
    for (const entry of position.delivered ?? []) {
      if (Array.isArray(entry) && typeof entry[0] === "string" && typeof entry[1] === "number") {
        state.insert(entry[0], entry[1]);
      }
    }
    state.enforceBound();
    return state;
  }

  /** True when `raw` (the table's stored manifest) is what this instance itself wrote last. */
  isCurrentWith(raw: unknown): boolean {
    const m = raw as Partial<DeliveredManifest> | undefined | null;
    if (m === undefined || m === null) return this.known === undefined;
    return m.v === 2 && m.writer === this.known?.writer && m.gen === this.known?.gen;
  }

  /** Starts a cycle: what the previous one read but never got acknowledged is read again. */
  beginCycle(): void {
    this.pending.clear();
    this.logs = [];
    this.open = { ids: [], times: [] };
    this.cycleScan = this.committedScan;
    this.floorWarned = false;
  }

  get floor(): number | null {
    return this.floorMs;
  }

  get scannedUntil(): number | null {
    return this.committedScan;
  }

  /** Ids folded into the stored state, and their memory in bytes. */
  get stats(): { readonly ids: number; readonly bytes: number; readonly buckets: number } {
    let ids = 0;
    for (const b of this.buckets.values()) ids += b.set.size;
    return { ids, bytes: this.bytes, buckets: this.buckets.size };
  }

  isDelivered(id: string, timeMs: number): boolean {
    if (this.floorMs !== null && timeMs < this.floorMs) return true;
    if (this.pending.has(id)) return true;
    const bucket = this.buckets.get(this.bucketOf(timeMs));
    if (!bucket) return false;
    const h = hashId(id, this.hash);
    return bucket.set.has(h.hi, h.lo);
  }

  /**
   * Whether the stored state holds `id` in any bucket, when its request time is not known (for
   * audits such as the crash suite's; a cycle always knows the time and asks `isDelivered`).
   */
  containsAnywhere(id: string): boolean {
    const h = hashId(id, this.hash);
    for (const bucket of this.buckets.values()) if (bucket.set.has(h.hi, h.lo)) return true;
    return false;
  }

  /** A row not delivered before but older than the previous window's end landed late. */
  isLate(timeMs: number): boolean {
    return this.cycleScan !== null && timeMs < this.cycleScan;
  }

  /** Notes an id read this cycle (delivered or dead-lettered once its position is flushed). */
  record(id: string, timeMs: number): void {
    this.pending.set(id, timeMs);
    this.open.ids.push(id);
    this.open.times.push(timeMs);
  }

  /**
   * The position after everything recorded so far: `scannedUntil` is the request time up to which
   * the window has been read. O(1): the ids stay here, the position only names how far they go.
   */
  position(scannedUntil: number): IncrementalPosition {
    const seq = ++this.seq;
    this.logs.push({ seq, ...this.open, scannedUntil });
    this.open = { ids: [], times: [] };
    // Only the number: the engine keeps positions until their chunks are done, the ids stay here.
    return { checkpointWrites: () => this.writesUpTo(seq) };
  }

  /** Drops buckets that ended before the window start: the next query cannot return their rows. */
  prune(windowStartMs: number): void {
    for (const [start, bucket] of this.buckets) {
      if (start + this.bucketMs <= windowStartMs) this.dropBucket(start, bucket);
    }
    if (this.floorMs !== null && this.floorMs <= windowStartMs) this.floorMs = null;
  }

  /** Folds the ids of every position up to `seq` and returns what changed since the last write. */
  private writesUpTo(seq: number): CheckpointWrites {
    while (this.logs.length > 0 && this.logs[0]!.seq <= seq) {
      const log = this.logs.shift()!;
      for (let i = 0; i < log.ids.length; i++) {
        const id = log.ids[i]!;
        this.insert(id, log.times[i]!);
        if (this.pending.get(id) === log.times[i]) this.pending.delete(id);
      }
      // Positions of one cycle only move forward; max() keeps an earlier cycle's further reach.
      this.committedScan = Math.max(this.committedScan ?? log.scannedUntil, log.scannedUntil);
    }
    // A Map keeps its grown table after deletes: start afresh once nothing is pending.
    if (this.pending.size === 0) this.pending = new Map();
    this.enforceBound();
    return this.writes();
  }

  private writes(): CheckpointWrites {
    const table = this.options.table;
    const entries = new Map<string, unknown>();
    const written: [Bucket, number, number][] = [];
    for (const [start, bucket] of this.buckets) {
      if (bucket.version === bucket.persisted) continue;
      const bits = partBits(bucket.set.size);
      const parts = 1 << bits;
      for (let part = 0; part < parts; part++) {
        entries.set(bucketKey(table, start, part), bucket.set.encodePart(bits, part).toString("base64"));
      }
      for (let part = parts; part < bucket.parts; part++)
        entries.set(bucketKey(table, start, part), undefined);
      written.push([bucket, bucket.version, parts]);
    }
    const removed = [...this.removed];
    for (const [start, parts] of removed) {
      for (let part = 0; part < parts; part++) entries.set(bucketKey(table, start, part), undefined);
    }
    const gen = ++this.gen;
    const manifest: DeliveredManifest = {
      v: 2,
      scannedUntil: this.committedScan,
      floor: this.floorMs,
      bucketMs: this.bucketMs,
      buckets: [...this.buckets]
        .map(([start, b]) => [start, 1 << partBits(b.set.size)] as const)
        .sort((a, b) => a[0] - b[0]),
      writer: this.options.writer,
      gen,
    };
    entries.set(table, manifest);
    return {
      entries,
      durable: () => {
        for (const [bucket, version, parts] of written) {
          bucket.persisted = version;
          bucket.parts = Math.max(bucket.parts, parts);
        }
        for (const [start] of removed) this.removed.delete(start);
        this.known = { writer: this.options.writer, gen };
      },
    };
  }

  private insert(id: string, timeMs: number): void {
    if (this.floorMs !== null && timeMs < this.floorMs) return;
    const start = this.bucketOf(timeMs);
    let bucket = this.buckets.get(start);
    if (!bucket) {
      bucket = { set: new IdHashSet(), version: 0, persisted: 0, parts: this.removed.get(start) ?? 0 };
      this.removed.delete(start);
      this.buckets.set(start, bucket);
    }
    const before = bucket.set.byteSize;
    const h = hashId(id, this.hash);
    if (bucket.set.add(h.hi, h.lo)) bucket.version++;
    this.bytes += bucket.set.byteSize - before;
  }

  /** Over the byte bound: drop the oldest buckets and raise the floor over them (said in the log). */
  private enforceBound(): void {
    if (this.bytes <= this.options.maxBytes || this.buckets.size <= 1) return;
    const starts = [...this.buckets.keys()].sort((a, b) => a - b);
    for (const start of starts) {
      if (this.bytes <= this.options.maxBytes || this.buckets.size <= 1) break;
      this.dropBucket(start, this.buckets.get(start)!);
      this.floorMs = Math.max(this.floorMs ?? Number.NEGATIVE_INFINITY, start + this.bucketMs);
    }
    if (this.floorMs === null) return;
    this.options.onFloorRaised?.(this.floorMs);
    if (!this.floorWarned) {
      this.floorWarned = true;
      this.options.logger.warn(
        {
          table: this.options.table,
          maxBytes: this.options.maxBytes,
          floor: new Date(this.floorMs).toISOString(),
        },
        "delivered-id state reached its byte bound: rows older than the floor count as delivered, so late rows there are not caught; raise maxDeliveredStateBytesPerTable or shorten lookBackMinutes",
      );
    }
  }

  private dropBucket(start: number, bucket: Bucket): void {
    this.buckets.delete(start);
    this.bytes -= bucket.set.byteSize;
    if (bucket.parts > 0) this.removed.set(start, Math.max(bucket.parts, this.removed.get(start) ?? 0));
  }

  private bucketOf(timeMs: number): number {
    return Math.floor(timeMs / this.bucketMs) * this.bucketMs;
  }
}

/** log2 of the parts a bucket of `size` ids is stored in (parts of at most IDS_PER_PART ids on average). */
function partBits(size: number): number {
  let bits = 0;
  while (size > IDS_PER_PART << bits) bits++;
  return bits;
}
