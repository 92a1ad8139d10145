/**
 * Faults the emulator can inject into `POST /api/ingestData`, programmatically or over HTTP
 * (`POST /__emulator/faults`). Faults are consulted in injection order; the first one that applies
 * to a request handles it and uses up one of its `count`.
 */

/** Decides whether a record should be rejected. Over HTTP only the `contains` marker form exists. */
export type RecordMatcher =
  | ((record: Readonly<Record<string, unknown>>) => boolean)
  | {
      /** Matches when `requestPayload` or `path` contains this text. */
      readonly contains: string;
    };

export type FaultSpec =
  /** Answer with this status (500/502/503/429…) without storing anything. */
  | {
      readonly kind: "status";
      readonly status: number;
      /** Sent as the Retry-After header: seconds (number) or any raw header text (an HTTP-date). */
      readonly retryAfter?: number | string;
      readonly body?: string;
      readonly count?: number;
    }
  /** Wait before handling the request normally (the client may time out; the batch is still stored). */
  | { readonly kind: "delay"; readonly delayMs: number; readonly count?: number }
  /** Destroy the connection after the request body was read, without any response. */
  | { readonly kind: "reset"; readonly count?: number }
  /**
   * 422 for any batch containing a matching record. Like Akto, records before the first failing one
   * have already been accepted (stored and forwarded). Unlimited unless `count` is given.
   */
  | {
      readonly kind: "rejectRecord";
      readonly match: RecordMatcher;
      readonly message?: string;
      readonly count?: number;
    };

/** One-shot by default, except record rejection, which models bad data and so persists. */
function defaultCount(spec: FaultSpec): number {
  return spec.kind === "rejectRecord" ? Number.POSITIVE_INFINITY : 1;
}

interface ActiveFault {
  readonly spec: FaultSpec;
  remaining: number;
}

export class FaultController {
  private active: ActiveFault[] = [];
  /** How many times each kind of fault fired, for assertions. */
  readonly fired: Record<FaultSpec["kind"], number> = { status: 0, delay: 0, reset: 0, rejectRecord: 0 };

  /** Queue one or more faults. */
  inject(...specs: FaultSpec[]): void {
    for (const spec of specs) {
      validateFault(spec);
      this.active.push({ spec, remaining: spec.count ?? defaultCount(spec) });
    }
  }

  clear(): void {
    this.active = [];
  }

  /** Faults not yet used up. */
  pending(): FaultSpec[] {
    return this.active.map((f) => f.spec);
  }

  /**
   * The transport-level fault (status/delay/reset) for the next request, consuming one use.
   * Record rejection is not returned here: it is judged per record by {@link rejectionFor}.
   */
  takeRequestFault(): Exclude<FaultSpec, { kind: "rejectRecord" }> | undefined {
    const found = this.active.find((f) => f.spec.kind !== "rejectRecord");
    if (!found) return undefined;
    this.consume(found);
    return found.spec as Exclude<FaultSpec, { kind: "rejectRecord" }>;
  }

  /** The 422 message for this record if a rejectRecord fault matches it (consuming one use). */
  rejectionFor(record: Readonly<Record<string, unknown>>): string | undefined {
    for (const fault of this.active) {
      if (fault.spec.kind !== "rejectRecord" || !matches(fault.spec.match, record)) continue;
      this.consume(fault);
      return fault.spec.message ?? "record rejected by an injected fault";
    }
    return undefined;
  }

  private consume(fault: ActiveFault): void {
    this.fired[fault.spec.kind]++;
    fault.remaining--;
    if (fault.remaining <= 0) this.active = this.active.filter((f) => f !== fault);
  }
}

function matches(matcher: RecordMatcher, record: Readonly<Record<string, unknown>>): boolean {
  if (typeof matcher === "function") return matcher(record);
  const { contains } = matcher;
  return [record.requestPayload, record.path].some((v) => typeof v === "string" && v.includes(contains));
}

/** Reject nonsense early with a message naming the field, so a typo in a test is not a silent no-op. */
export function validateFault(spec: unknown): asserts spec is FaultSpec {
  if (!spec || typeof spec !== "object") throw new TypeError("fault: expected an object with a `kind`");
  const s = spec as Record<string, unknown>;
  const count = s.count;
  if (count !== undefined && !(typeof count === "number" && Number.isInteger(count) && count > 0)) {
    throw new TypeError("fault.count: expected a positive integer");
  }
  switch (s.kind) {
    case "status":
      if (
        !(typeof s.status === "number" && Number.isInteger(s.status) && s.status >= 400 && s.status <= 599)
      ) {
        throw new TypeError("fault.status: expected an HTTP error status 400-599");
      }
      if (
        s.retryAfter !== undefined &&
        typeof s.retryAfter !== "number" &&
        typeof s.retryAfter !== "string"
      ) {
        throw new TypeError("fault.retryAfter: expected seconds (number) or an HTTP-date (string)");
      }
      return;
    case "delay":
      if (!(typeof s.delayMs === "number" && s.delayMs >= 0)) {
        throw new TypeError("fault.delayMs: expected a non-negative number of milliseconds");
      }
      return;
    case "reset":
      return;
    case "rejectRecord": {
      const m = s.match;
      const ok =
        typeof m === "function" ||
        (!!m && typeof m === "object" && typeof (m as { contains?: unknown }).contains === "string");
      if (!ok) throw new TypeError('fault.match: expected a predicate or { "contains": "<marker>" }');
      return;
    }
    default:
      throw new TypeError(
        `fault.kind: expected "status", "delay", "reset" or "rejectRecord", got ${String(s.kind)}`,
      );
  }
}
