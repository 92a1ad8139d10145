import { EventEmitter, once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { AKTO_MAX_BODY_BYTES, AKTO_MAX_STRING_CHARS } from "../contract/akto-rules.js";
import { checkAktoRecord } from "../contract/check-akto-record.js";
import type { ContractViolation } from "../contract/contract-violation.js";
import { FaultController, type FaultSpec, validateFault } from "./faults.js";
import { KafkaForwarder, type KafkaForwardingOptions } from "./kafka-forwarder.js";
import { findOverlongString, readBody } from "./request-body.js";
import { RequestStats } from "./request-stats.js";

export type AktoIngestedRecord = Readonly<Record<string, unknown>>;

export interface AktoIngestionEmulatorOptions {
  /** When set, `authorization` must equal it exactly (raw JWT, no "Bearer "); else 401. */
  readonly token?: string;
  /** Forward accepted records to Kafka, as the real service does. */
  readonly kafka?: KafkaForwardingOptions;
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Per-record rule check; default: the contract checker. A non-empty result gives 422. */
  readonly validateRecord?: (record: unknown, prefix: string) => readonly ContractViolation[];
  /** Keep accepted records in `records` (default true; benchmarks may turn it off). */
  readonly storeRecords?: boolean;
}

export interface AktoIngestionEmulator {
  /** Base URL, e.g. http://127.0.0.1:43121 (what DATA_INGESTION_SERVICE_URL would be). */
  readonly url: string;
  /** Accepted records in arrival order. */
  readonly records: AktoIngestedRecord[];
  /** Accepted records so far (also counted when `storeRecords` is off). */
  readonly acceptedCount: number;
  readonly requests: RequestStats;
  readonly faults: FaultController;
  /** Turn auth on (a token) or off (undefined) while running. */
  setToken(token: string | undefined): void;
  /** Resolves once at least `n` records were accepted; rejects after `timeoutMs`. */
  waitForRecords(n: number, timeoutMs?: number): Promise<void>;
  /** Resolves once at least `n` requests (admin excluded) have arrived, answered or not. */
  waitForRequests(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const ADMIN_PREFIX = "/__emulator/";
/** Past this much oversized body we stop draining and drop the connection. */
const MAX_DRAIN_BYTES = 4 * AKTO_MAX_BODY_BYTES;

/**
 * An HTTP server with the contract of Akto's data ingestion service (see
 * shared/reference/akto-ingestion.md) plus fault injection, for tests, demos and benchmarks.
 *
 * `POST /api/ingestData` is handled in this order, like a web server in front of the service:
 * body limit (413) → injected reset / delay / status fault → token (401) → JSON, string-length and
 * batchData checks (422) → per record: contract check and rejectRecord faults (422, with the records
 * before the failing one already accepted) → Kafka forwarding → 200 {"success":true}.
 */
export async function startAktoIngestionEmulator(
  options: AktoIngestionEmulatorOptions = {},
): Promise<AktoIngestionEmulator> {
  const forwarder = options.kafka ? await KafkaForwarder.connect(options.kafka) : undefined;
  const emulator = new Emulator(options, forwarder);
  try {
    await emulator.listen(options.host ?? "127.0.0.1", options.port ?? 0);
  } catch (error) {
    await forwarder?.close();
    throw error;
  }
  return emulator;
}

class Emulator implements AktoIngestionEmulator {
  readonly records: AktoIngestedRecord[] = [];
  readonly requests = new RequestStats();
  readonly faults = new FaultController();
  acceptedCount = 0;
  private arrivals = 0;
  url = "";
  private token: string | undefined;
  private readonly server: Server;
  private readonly events = new EventEmitter();
  /** Aborts pending injected delays on close so no timer outlives the emulator. */
  private readonly closing = new AbortController();
  private readonly validate: (record: unknown, prefix: string) => readonly ContractViolation[];

  constructor(
    private readonly options: AktoIngestionEmulatorOptions,
    private readonly forwarder: KafkaForwarder | undefined,
  ) {
    this.token = options.token;
    this.validate = options.validateRecord ?? checkAktoRecord;
    this.events.setMaxListeners(0);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        // A bug in the emulator must be visible to the test, not hang it.
        if (!res.headersSent) sendJson(res, 500, { actionErrors: [`emulator error: ${String(error)}`] });
        else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 30_000;
  }

  async listen(host: string, port: number): Promise<void> {
    this.server.listen(port, host);
    await once(this.server, "listening");
    const address = this.server.address() as AddressInfo;
    this.url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  }

  setToken(token: string | undefined): void {
    this.token = token;
  }

  waitForRecords(n: number, timeoutMs = 10_000): Promise<void> {
    return this.waitUntil("accepted", () => this.acceptedCount, n, "records", timeoutMs);
  }

  waitForRequests(n: number, timeoutMs = 10_000): Promise<void> {
    return this.waitUntil("arrived", () => this.arrivals, n, "requests", timeoutMs);
  }

  /** Event-driven wait for a counter to reach `n` (no polling, no sleeping). */
  private waitUntil(event: string, current: () => number, n: number, what: string, timeoutMs: number) {
    if (current() >= n) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        if (current() < n) return;
        clearTimeout(timer);
        this.events.off(event, check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.events.off(event, check);
        reject(new Error(`Akto emulator: ${current()} of ${n} ${what} after ${timeoutMs} ms`));
      }, timeoutMs);
      this.events.on(event, check);
    });
  }

  async close(): Promise<void> {
    this.closing.abort();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    await this.forwarder?.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path.startsWith(ADMIN_PREFIX)) return this.handleAdmin(req, res, path);
    this.arrivals++;
    this.events.emit("arrived");
    const method = req.method ?? "GET";
    const authorized = this.isAuthorized(req);
    const hadAuthorization = req.headers.authorization !== undefined;
    const traceparent = typeof req.headers.traceparent === "string" ? req.headers.traceparent : undefined;
    const finish = (status: number | "reset", batchSize = 0, accepted = 0) =>
      this.requests.log.push({
        method,
        path,
        status,
        batchSize,
        accepted,
        hadAuthorization,
        ...(traceparent !== undefined ? { traceparent } : {}),
      });

    if (method === "GET" && (path === "/healthCheck" || path === "/api/auth-check")) {
      await drain(req);
      if (path === "/api/auth-check" && !authorized) {
        finish(401);
        return sendJson(res, 401, { actionErrors: ["Unauthorized"] });
      }
      finish(200);
      return sendJson(res, 200, { success: true });
    }
    if (path !== "/api/ingestData") {
      await drain(req);
      finish(404);
      return sendJson(res, 404, { actionErrors: [`no route for ${method} ${path}`] });
    }
    if (method !== "POST") {
      await drain(req);
      finish(405);
      return sendJson(res, 405, { actionErrors: [`${method} not allowed on ${path}`] });
    }

    const read = await readBody(req, AKTO_MAX_BODY_BYTES, MAX_DRAIN_BYTES);
    if (!read.ok) {
      finish(413);
      if (!read.drained) return; // the stream is gone; nothing can be answered
      res.setHeader("connection", "close");
      return sendJson(res, 413, { actionErrors: [`request body exceeds ${AKTO_MAX_BODY_BYTES} bytes`] });
    }

    const fault = this.faults.takeRequestFault();
    if (fault?.kind === "reset") {
      finish("reset");
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "delay") {
      try {
        await delay(fault.delayMs, undefined, { signal: this.closing.signal });
      } catch {
        return; // emulator closing
      }
    }
    if (fault?.kind === "status") {
      finish(fault.status);
      if (fault.retryAfter !== undefined) res.setHeader("retry-after", String(fault.retryAfter));
      if (fault.body !== undefined) {
        res.writeHead(fault.status, { "content-type": "text/plain" }).end(fault.body);
        return;
      }
      return sendJson(res, fault.status, { actionErrors: [`injected HTTP ${fault.status}`] });
    }

    if (!authorized) {
      finish(401);
      return sendJson(res, 401, { actionErrors: ["Unauthorized: invalid or missing authorization token"] });
    }

    const outcome = this.parseBatch(read.body);
    if ("error" in outcome) {
      finish(422);
      return sendJson(res, 422, { actionErrors: [outcome.error] });
    }
    const { batch } = outcome;
    const { accepted, error } = this.acceptPrefix(batch);
    try {
      await this.forwarder?.send(accepted);
    } catch (kafkaError) {
      // Emulator choice: a Kafka outage is the server's problem, so a retryable 500.
      finish(500, batch.length, 0);
      return sendJson(res, 500, { actionErrors: [`forwarding to Kafka failed: ${String(kafkaError)}`] });
    }
    this.store(accepted);
    if (error !== undefined) {
      finish(422, batch.length, accepted.length);
      return sendJson(res, 422, { actionErrors: [error] });
    }
    finish(200, batch.length, accepted.length);
    sendJson(res, 200, { success: true });
  }

  private isAuthorized(req: IncomingMessage): boolean {
    return this.token === undefined || req.headers.authorization === this.token;
  }

  private parseBatch(body: Buffer): { batch: unknown[] } | { error: string } {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch (error) {
      return { error: `request body is not valid JSON: ${(error as Error).message}` };
    }
    const overlong = findOverlongString(parsed, AKTO_MAX_STRING_CHARS);
    if (overlong !== undefined) {
      return {
        error: `String value length exceeds the maximum allowed (${AKTO_MAX_STRING_CHARS}) at ${overlong}`,
      };
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
      return { error: 'request body must be a JSON object {"batchData": [...]}' };
    }
    const batchData = (parsed as { batchData?: unknown }).batchData;
    if (batchData === undefined || batchData === null) return { error: "batchData is missing" };
    if (!Array.isArray(batchData)) return { error: "batchData must be an array of records" };
    return { batch: batchData };
  }

  /** Records up to the first invalid or fault-matched one, which Akto would have forwarded already. */
  private acceptPrefix(batch: readonly unknown[]): { accepted: AktoIngestedRecord[]; error?: string } {
    const accepted: AktoIngestedRecord[] = [];
    for (let i = 0; i < batch.length; i++) {
      const record = batch[i];
      const violations = this.validate(record, `batchData[${i}].`);
      if (violations.length > 0) {
        return { accepted, error: violations.map((v) => `${v.field}: ${v.reason}`).join("; ") };
      }
      const rejection = this.faults.rejectionFor(record as AktoIngestedRecord);
      if (rejection !== undefined) return { accepted, error: `batchData[${i}]: ${rejection}` };
      accepted.push(record as AktoIngestedRecord);
    }
    return { accepted };
  }

  private store(accepted: readonly AktoIngestedRecord[]): void {
    if (accepted.length === 0) return;
    if (this.options.storeRecords !== false) for (const r of accepted) this.records.push(r);
    this.acceptedCount += accepted.length;
    this.events.emit("accepted");
  }

  /**
   * Control plane for other processes (the demo, the runner's end-to-end tests):
   * POST /__emulator/faults (a fault or an array; rejectRecord takes {"contains": "..."}),
   * DELETE /__emulator/faults, POST /__emulator/auth {"token": "..."|null}, GET /__emulator/stats.
   */
  private async handleAdmin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const read = await readBody(req, 1_048_576);
    if (!read.ok) return sendJson(res, 413, { error: "admin request too large" });
    const route = `${req.method} ${path.slice(ADMIN_PREFIX.length)}`;
    let input: unknown;
    try {
      input = read.body.length > 0 ? JSON.parse(read.body.toString("utf8")) : undefined;
    } catch {
      return sendJson(res, 400, { error: "admin request body is not valid JSON" });
    }
    try {
      switch (route) {
        case "POST faults": {
          const specs = Array.isArray(input) ? input : [input];
          for (const spec of specs) validateFault(spec);
          this.faults.inject(...(specs as FaultSpec[]));
          return sendJson(res, 200, { injected: specs.length, pending: this.faults.pending().length });
        }
        case "DELETE faults":
          this.faults.clear();
          return sendJson(res, 200, { pending: 0 });
        case "POST auth": {
          const token = (input as { token?: unknown } | undefined)?.token;
          if (token !== null && token !== undefined && typeof token !== "string") {
            return sendJson(res, 400, { error: "auth.token: expected a string, or null to turn auth off" });
          }
          this.setToken(token ?? undefined);
          return sendJson(res, 200, { auth: token ? "on" : "off" });
        }
        case "GET stats":
          return sendJson(res, 200, {
            accepted: this.acceptedCount,
            requests: this.requests.count,
            statuses: this.requests.statuses,
            faultsFired: this.faults.fired,
            pendingFaults: this.faults.pending().length,
          });
        default:
          return sendJson(res, 404, { error: `unknown admin route ${route}` });
      }
    } catch (error) {
      return sendJson(res, 400, { error: (error as Error).message });
    }
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Consume and discard a (small) request body so keep-alive connections stay usable. */
async function drain(req: IncomingMessage): Promise<void> {
  await readBody(req, 0, 1_048_576);
}
