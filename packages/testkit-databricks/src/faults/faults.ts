import { randomUUID } from "node:crypto";
import { DatabricksApiError, invalidAccessToken } from "../http/api-error.js";
import type { WarehouseControls } from "../sql/warehouse.js";

/** A fault to inject. Scoped by path prefix and limited by count when those are given. */
export type FaultSpec =
  | {
      /** Answer with a Databricks error status (429 carries Retry-After). */
      type: "http-error";
      status: 429 | 500 | 502 | 503 | 504;
      retryAfterSeconds?: number;
      pathPrefix?: string;
      count?: number;
    }
  | { type: "latency"; latencyMs: number; pathPrefix?: string; count?: number }
  /** Destroy the socket without answering (client sees ECONNRESET / socket hang up). */
  | { type: "connection-reset"; pathPrefix?: string; count?: number }
  /** Answer as if the caller's token had expired or been revoked (403 Invalid access token). */
  | { type: "invalid-token"; pathPrefix?: string; count?: number }
  /**
   * Cloud fetch: the next `count` result links are issued with an expiry already past (the client
   * sees an expired link, as when it reads a large result slowly); the files refuse them with 403.
   */
  | { type: "expired-result-links"; count?: number };

export interface ActiveFault {
  id: string;
  spec: FaultSpec;
  /** Requests still to affect (Infinity when unlimited). */
  remaining: number;
  /** Requests affected so far. */
  hits: number;
}

/** What the HTTP layer should do with one request. */
export type FaultAction =
  | { kind: "error"; error: DatabricksApiError }
  | { kind: "delay"; ms: number }
  | { kind: "reset" };

/**
 * Faults on demand, for tests in-process (`ws.faults`) and other processes (`/__emulator/faults`).
 * Several faults may match one request: latency adds up, then the first error/reset wins.
 */
export class FaultInjector {
  private readonly faults: ActiveFault[] = [];

  constructor(readonly warehouse: WarehouseControls) {}

  inject(spec: FaultSpec): string {
    validate(spec);
    const id = randomUUID();
    this.faults.push({ id, spec, remaining: spec.count ?? Number.POSITIVE_INFINITY, hits: 0 });
    return id;
  }

  remove(id: string): boolean {
    const i = this.faults.findIndex((f) => f.id === id);
    if (i < 0) return false;
    this.faults.splice(i, 1);
    return true;
  }

  /** Removes every fault and restores the warehouse (RUNNING, no SQL latency). */
  clear(): void {
    this.faults.length = 0;
    this.warehouse.state = "RUNNING";
    this.warehouse.sqlLatencyMs = 0;
  }

  list(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Added latency for every SQL statement (reported as RUNNING until it has passed). */
  setSqlLatency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new Error(`sqlLatencyMs must be a non-negative number, got ${ms}`);
    this.warehouse.sqlLatencyMs = ms;
  }

  stopWarehouse(): void {
    this.warehouse.state = "STOPPED";
  }

  startWarehouse(): void {
    this.warehouse.state = "RUNNING";
  }

  /** True when the result link being issued must already be expired; consumes one use. */
  takeExpiredResultLink(): boolean {
    const fault = this.faults.find((f) => f.spec.type === "expired-result-links");
    if (!fault) return false;
    fault.remaining--;
    fault.hits++;
    if (fault.remaining <= 0) this.remove(fault.id);
    return true;
  }

  /** The actions for a request on `path`, consuming one use of each matching fault. */
  actionsFor(path: string): FaultAction[] {
    const actions: FaultAction[] = [];
    for (const fault of [...this.faults]) {
      if (fault.spec.type === "expired-result-links") continue;
      if (fault.spec.pathPrefix && !path.startsWith(fault.spec.pathPrefix)) continue;
      fault.remaining--;
      fault.hits++;
      if (fault.remaining <= 0) this.remove(fault.id);
      actions.push(actionOf(fault.spec));
    }
    return actions;
  }
}

function actionOf(spec: Exclude<FaultSpec, { type: "expired-result-links" }>): FaultAction {
  switch (spec.type) {
    case "latency":
      return { kind: "delay", ms: spec.latencyMs };
    case "connection-reset":
      return { kind: "reset" };
    case "invalid-token":
      return { kind: "error", error: invalidAccessToken() };
    case "http-error":
      return { kind: "error", error: httpError(spec.status, spec.retryAfterSeconds) };
  }
}

/** Databricks' bodies for throttling and outages. */
export function httpError(status: number, retryAfterSeconds?: number): DatabricksApiError {
  switch (status) {
    case 429:
      return new DatabricksApiError(
        429,
        "TOO_MANY_REQUESTS",
        "Too many requests. Please wait a moment and try again.",
        { "Retry-After": String(retryAfterSeconds ?? 1) },
      );
    case 503:
      return new DatabricksApiError(
        503,
        "TEMPORARILY_UNAVAILABLE",
        "The service is temporarily unavailable. Please try again later.",
        retryAfterSeconds !== undefined ? { "Retry-After": String(retryAfterSeconds) } : {},
      );
    case 504:
      return new DatabricksApiError(
        504,
        "DEADLINE_EXCEEDED",
        "The request timed out before it could be completed.",
      );
    case 502:
      return new DatabricksApiError(502, "BAD_GATEWAY", "Bad gateway.");
    default:
      return new DatabricksApiError(500, "INTERNAL_ERROR", "Internal server error.");
  }
}

function validate(spec: FaultSpec): void {
  const where = `fault ${JSON.stringify(spec)}`;
  if (spec.count !== undefined && (!Number.isInteger(spec.count) || spec.count < 1)) {
    throw new Error(`${where}: count must be a positive integer`);
  }
  if ("pathPrefix" in spec && spec.pathPrefix !== undefined && !spec.pathPrefix.startsWith("/")) {
    throw new Error(`${where}: pathPrefix must start with "/"`);
  }
  switch (spec.type) {
    case "http-error":
      if (![429, 500, 502, 503, 504].includes(spec.status))
        throw new Error(`${where}: status must be 429, 500, 502, 503 or 504`);
      return;
    case "latency":
      if (!Number.isFinite(spec.latencyMs) || spec.latencyMs < 0)
        throw new Error(`${where}: latencyMs must be >= 0`);
      return;
    case "connection-reset":
    case "invalid-token":
    case "expired-result-links":
      return;
    default:
      throw new Error(
        `${where}: unknown type (expected http-error, latency, connection-reset, invalid-token, expired-result-links)`,
      );
  }
}
