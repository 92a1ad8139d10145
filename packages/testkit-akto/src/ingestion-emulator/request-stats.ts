/** One handled request, for assertions about what the client did. */
export interface RequestLogEntry {
  readonly method: string;
  readonly path: string;
  /** HTTP status sent, or "reset" when the connection was destroyed without an answer. */
  readonly status: number | "reset";
  /** Records in the batch (ingest requests only; 0 otherwise). */
  readonly batchSize: number;
  /** Records accepted from it (all, none, or the prefix before a rejected record). */
  readonly accepted: number;
  /** Whether an `authorization` header was sent (its value is never kept). */
  readonly hadAuthorization: boolean;
  /** The W3C `traceparent` header the client sent, if any (a traced client passes its trace on). */
  readonly traceparent?: string;
}

/** Counters over every request the emulator answered (admin endpoints excluded). */
export class RequestStats {
  readonly log: RequestLogEntry[] = [];

  get count(): number {
    return this.log.length;
  }

  /** Statuses in arrival order. */
  get statuses(): Array<number | "reset"> {
    return this.log.map((e) => e.status);
  }

  /** How many requests got this status. */
  countOf(status: number | "reset"): number {
    let n = 0;
    for (const e of this.log) if (e.status === status) n++;
    return n;
  }
}
