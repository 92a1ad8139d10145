import {
  type ComponentContext,
  type EncodedValue,
  FatalError,
  type Logger,
  type Message,
  PoisonError,
  parseConfig,
  RetryableError,
  type Sink,
  type WriteContext,
} from "@pipekit/core";
import type { HealthStatus } from "@pipekit/core/advanced";
import { Agent, type Dispatcher } from "undici";
import { AKTO_MAX_RECORD_BYTES } from "../mapping/akto-record.js";
import {
  AKTO_HTTP_SECRET_FIELDS,
  type AktoHttpSinkConfig,
  aktoHttpSinkConfigSchema,
  type ResolvedAktoHttpSinkConfig,
} from "./config.js";
import { errorForStatus, errorForTransportFailure, timeoutError } from "./response-errors.js";

/** Error bodies can be large HTML pages; we only need enough to explain the failure. */
const MAX_ERROR_BODY_CHARS = 16_384;

export interface AktoHttpSink extends Sink {
  readonly type: "akto_http";
  /** The ingestion endpoint batches go to, without credentials. */
  readonly endpoint: string;
  /** Resolves on HTTP 2xx; never reports partial failures (Akto answers per batch). */
  write(batch: readonly Message[], ctx: WriteContext): Promise<void>;
  classifyError(error: unknown): "retryable" | "poison" | "fatal" | undefined;
  health(): Promise<HealthStatus>;
  close(): Promise<void>;
}

/**
 * A sink that POSTs each batch to `<url>/api/ingestData` as `{"batchData":[record, …]}`.
 * Message values must be Akto records (plain JSON objects); they are sent as they are, as the JSON
 * text the mapping already made (`message.encoded`) when there is one.
 * A batch resolves only on HTTP 2xx, judged by status alone: Akto may say {"success":false} on success.
 */
export function createAktoHttpSink(config: AktoHttpSinkConfig): AktoHttpSink {
  return aktoHttpSinkFromParsed(
    parseConfig(aktoHttpSinkConfigSchema, config, "Akto HTTP sink config", [], {
      secretFields: AKTO_HTTP_SECRET_FIELDS,
    }),
  );
}

/** The sink for a config the registry already parsed (defaults applied). */
export function aktoHttpSinkFromParsed(config: ResolvedAktoHttpSinkConfig): AktoHttpSink {
  return new AktoHttpSinkImpl(config);
}

class AktoHttpSinkImpl implements AktoHttpSink {
  readonly type = "akto_http" as const;
  readonly endpoint: string;
  private readonly base: URL;
  /** The URL's path without trailing slashes ("" for a bare origin); URL.pathname cannot be empty. */
  private readonly basePath: string;
  private readonly headers: Record<string, string>;
  private readonly agent: Agent;
  private closed = false;

  constructor(private readonly config: ResolvedAktoHttpSinkConfig) {
    this.base = new URL(config.url);
    // Credentials in the URL would leak into messages; we never print them.
    this.base.username = "";
    this.base.password = "";
    this.basePath = this.base.pathname.replace(/\/+$/, "");
    this.endpoint = `${this.base.origin}${this.basePath}/api/ingestData`;
    this.headers = { "content-type": "application/json" };
    // Akto reads the raw JWT from `authorization`, with no "Bearer " prefix.
    if (config.token) this.headers.authorization = config.token;
    this.agent = new Agent({
      connections: config.concurrency,
      keepAliveTimeout: 30_000,
      headersTimeout: config.timeoutMs,
      bodyTimeout: config.timeoutMs,
      connect: { timeout: config.timeoutMs },
    });
  }

  async open(_ctx: ComponentContext): Promise<void> {}

  async write(batch: readonly Message[], ctx: WriteContext): Promise<void> {
    if (batch.length === 0) return;
    if (this.closed) throw new FatalError(`Akto sink for ${this.endpoint} is closed`);
    const body = serialiseBatch(batch, ctx.logger);
    await this.post(this.endpoint, body, batch.length, ctx.signal, ctx.traceHeaders);
  }

  classifyError(error: unknown): "retryable" | "poison" | "fatal" | undefined {
    if (error instanceof RetryableError) return "retryable";
    if (error instanceof PoisonError) return "poison";
    if (error instanceof FatalError) return "fatal";
    return undefined;
  }

  async health(): Promise<HealthStatus> {
    const target = `${this.base.origin}${this.basePath}/healthCheck`;
    try {
      const { statusCode, text } = await this.exchange("GET", "/healthCheck", target);
      if (statusCode >= 200 && statusCode < 300) return { ok: true, detail: `${target} is up` };
      return {
        ok: false,
        detail: `${target} answered HTTP ${statusCode}: ${this.scrub(text).slice(0, 200)}`,
      };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.agent.close();
  }

  private async post(
    target: string,
    body: string,
    batchSize: number,
    signal?: AbortSignal,
    traceHeaders?: Readonly<Record<string, string>>,
  ): Promise<void> {
    const { statusCode, headers, text } = await this.exchange(
      "POST",
      "/api/ingestData",
      target,
      body,
      signal,
      traceHeaders,
    );
    if (statusCode >= 200 && statusCode < 300) return;
    throw errorForStatus({ statusCode, headers, body: this.scrub(text), target, batchSize });
  }

  /**
   * One request and its (capped) answer. undici's own headers timeout ticks with a coarse timer
   * (up to ~1 s late), so a precise deadline for the answer's headers is kept here; undici's
   * bodyTimeout still guards stalls while the body streams in.
   */
  private async exchange(
    method: "GET" | "POST",
    path: string,
    target: string,
    body?: string,
    signal?: AbortSignal,
    /** The batch's W3C trace context, so Akto's side can join the trace. */
    traceHeaders?: Readonly<Record<string, string>>,
  ): Promise<{ statusCode: number; headers: Dispatcher.ResponseData["headers"]; text: string }> {
    // One controller fed by both the deadline and the pipeline's stop signal. (AbortSignal.any on a
    // long-lived signal keeps per-call bookkeeping around in Node 20; a listener we remove does not.)
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, this.config.timeoutMs);
    const onStop = () => abort.abort();
    if (signal?.aborted) abort.abort();
    signal?.addEventListener("abort", onStop, { once: true });
    let res: Dispatcher.ResponseData;
    try {
      res = await this.agent.request({
        origin: this.base.origin,
        path: `${this.basePath}${path}`,
        method,
        headers: traceHeaders ? { ...this.headers, ...traceHeaders } : this.headers,
        ...(body === undefined ? {} : { body }),
        signal: abort.signal,
      });
    } catch (error) {
      throw timedOut
        ? timeoutError(target, this.config.timeoutMs, error)
        : errorForTransportFailure(error, target, this.config.timeoutMs);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onStop);
    }
    try {
      return { statusCode: res.statusCode, headers: res.headers, text: await readCapped(res.body) };
    } catch (error) {
      // The status may be 2xx, but without the full answer we cannot know the batch landed.
      throw errorForTransportFailure(error, target, this.config.timeoutMs);
    }
  }

  /** Some servers echo request headers in errors; the token must never reach a message or log. */
  private scrub(text: string): string {
    const token = this.config.token;
    return token ? text.split(token).join("[REDACTED]") : text;
  }
}

/**
 * `{"batchData":[…]}` joined from each record's JSON: the text the mapping encoded once when the
 * message carries it, else the value serialised here. Each record must fit Akto's body limit on its
 * own (AKTO_MAX_RECORD_BYTES); an encoded record above it is fitted (payloads cut and marked), and
 * one that cannot be fitted, or a plain value above it, is poison. A value that cannot be serialised
 * (a cycle, a BigInt) is bad data, not a transport problem: PoisonError lets the engine isolate it.
 */
function serialiseBatch(batch: readonly Message[], logger: Logger): string {
  const parts: string[] = new Array(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const message = batch[i]!;
    parts[i] = message.encoded ? fittedText(message, message.encoded, logger) : plainJson(message);
  }
  return `{"batchData":[${parts.join(",")}]}`;
}

function fittedText(message: Message, encoded: EncodedValue, logger: Logger): string {
  if (encoded.bytes <= AKTO_MAX_RECORD_BYTES) return encoded.text;
  const fitted = encoded.fit?.(AKTO_MAX_RECORD_BYTES);
  if (fitted === undefined) throw tooLarge(message.id, encoded.bytes);
  logger.warn(
    { messageId: message.id, truncated: fitted.truncated, bytes: encoded.bytes, fittedBytes: fitted.bytes },
    "Akto record shortened to fit Akto's body limit",
  );
  return fitted.text;
}

function plainJson(message: Message): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(message.value);
  } catch (error) {
    throw new PoisonError(`Message ${message.id} cannot be serialised to JSON for Akto`, { cause: error });
  }
  if (json === undefined || typeof message.value !== "object" || message.value === null) {
    throw new PoisonError(
      `Message ${message.id} is not an Akto record object (got ${describe(message.value)})`,
    );
  }
  // A UTF-16 unit is at most 3 UTF-8 bytes: only long texts need counting.
  if (json.length * 3 > AKTO_MAX_RECORD_BYTES) {
    const bytes = Buffer.byteLength(json);
    if (bytes > AKTO_MAX_RECORD_BYTES) throw tooLarge(message.id, bytes);
  }
  return json;
}

function tooLarge(id: string, bytes: number): PoisonError {
  return new PoisonError(
    `Message ${id} is ${bytes} bytes of JSON and cannot be shortened to Akto's limit of ${AKTO_MAX_RECORD_BYTES} bytes per record`,
  );
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

/** Read the body as text, keeping at most MAX_ERROR_BODY_CHARS but always draining the stream. */
async function readCapped(body: Dispatcher.ResponseData["body"]): Promise<string> {
  let out = "";
  for await (const chunk of body) {
    if (out.length < MAX_ERROR_BODY_CHARS) out += (chunk as Buffer).toString("utf8");
  }
  return out.length > MAX_ERROR_BODY_CHARS ? out.slice(0, MAX_ERROR_BODY_CHARS) : out;
}
