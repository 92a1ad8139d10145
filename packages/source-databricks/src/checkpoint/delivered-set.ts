import type { Logger } from "@pipekit/core";

/**
 * The checkpoint position of one table, as stored (plain JSON).
 * Late rows are the reason this exists: payload logging is asynchronous, so a row may appear with
 * a request time inside an already-scanned window. Remembering which ids were delivered within
 * the look-back window lets each cycle re-scan the whole window without sending anything twice.
 */
export interface DeliveredPosition {
  readonly v: 1;
  /** End of the last window read (epoch ms); undelivered rows older than this are late arrivals. */
  readonly scannedUntil: number | null;
  /** Rows older than this count as delivered: raised only when the id cap forced dropping ids. */
  readonly floor: number | null;
  /** [request id, request time in epoch ms]. */
  readonly delivered: readonly (readonly [string, number])[];
}

export class DeliveredSet {
  private readonly ids = new Map<string, number>();
  private floorMs: number | null = null;
  private previousScanEnd: number | null = null;
  private capWarned = false;

  constructor(
    private readonly cap: number,
    private readonly table: string,
    private readonly logger: Logger,
  ) {}

  /** Accepts what a checkpoint store returns; anything unrecognisable starts empty (with a warning). */
  static fromPosition(raw: unknown, cap: number, table: string, logger: Logger): DeliveredSet {
    const set = new DeliveredSet(cap, table, logger);
    if (raw === undefined || raw === null) return set;
    const p = raw as Partial<DeliveredPosition>;
    if (p.v !== 1 || !Array.isArray(p.delivered)) {
      logger.warn({ table }, "ignoring a checkpoint in an unknown format; the window is read as new");
      return set;
    }
    set.floorMs = typeof p.floor === "number" ? p.floor : null;
    set.previousScanEnd = typeof p.scannedUntil === "number" ? p.scannedUntil : null;
    for (const entry of p.delivered) {
      if (Array.isArray(entry) && typeof entry[0] === "string" && typeof entry[1] === "number") {
        set.ids.set(entry[0], entry[1]);
      }
    }
    return set;
  }

  get size(): number {
    return this.ids.size;
  }

  get floor(): number | null {
    return this.floorMs;
  }

  /** End of the previous cycle's window, to tell late rows from new ones. */
  get scannedUntil(): number | null {
    return this.previousScanEnd;
  }

  /** True when the row was delivered before (or is below the floor). */
  isDelivered(id: string, timeMs: number): boolean {
    if (this.floorMs !== null && timeMs < this.floorMs) return true;
    return this.ids.has(id);
  }

  /** A row not delivered before but older than the previous window's end landed late. */
  isLate(timeMs: number): boolean {
    return this.previousScanEnd !== null && timeMs < this.previousScanEnd;
  }

  add(id: string, timeMs: number): void {
    this.ids.set(id, timeMs);
    if (this.ids.size > this.cap) this.shrink();
  }

  /** Drops ids older than the window start: the next query cannot return them again. */
  prune(windowStartMs: number): void {
    for (const [id, t] of this.ids) if (t < windowStartMs) this.ids.delete(id);
    if (this.floorMs !== null && this.floorMs <= windowStartMs) this.floorMs = null;
  }

  toPosition(scannedUntil: number): DeliveredPosition {
    return { v: 1, scannedUntil, floor: this.floorMs, delivered: [...this.ids] };
  }

  /** Over the cap: keep the newest 90% and raise the floor over the dropped ones. */
  private shrink(): void {
    const sorted = [...this.ids].sort((a, b) => a[1] - b[1]);
    const drop = sorted.length - Math.floor(this.cap * 0.9);
    let newFloor = this.floorMs ?? Number.NEGATIVE_INFINITY;
    for (let i = 0; i < drop; i++) {
      const [id, t] = sorted[i]!;
      this.ids.delete(id);
      // Strictly above the newest dropped time would skip undelivered rows sharing that time; "at or
      // below" risks a duplicate instead, which at-least-once allows.
      newFloor = Math.max(newFloor, t);
    }
    this.floorMs = Number.isFinite(newFloor) ? newFloor : null;
    if (!this.capWarned) {
      this.capWarned = true;
      this.logger.warn(
        {
          table: this.table,
          cap: this.cap,
          floor: this.floorMs === null ? null : new Date(this.floorMs).toISOString(),
        },
        "delivered-id cap exceeded: late rows older than the floor will not be caught; raise maxTrackedIdsPerTable or shorten lookBackMinutes",
      );
    }
  }
}
