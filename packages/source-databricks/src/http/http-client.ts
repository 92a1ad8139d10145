import { rootCertificates } from "node:tls";
import { parseRetryAfter } from "@pipekit/core/advanced";
import { Agent, fetch } from "undici";
import { DatabricksConnectionError } from "../errors/errors.js";

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export interface HttpRequest {
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly signal?: AbortSignal;
}

export interface HttpClientOptions {
  /** PEM of an extra CA; Node's bundled roots stay trusted (the CA is added, not substituted). */
  readonly caCert?: string;
  /** Retries after the first attempt, on 429, 503 and transient network errors. */
  readonly maxRetries: number;
  /** First backoff step; doubles per retry, with full jitter, capped at maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly timeoutMs: number;
  /** Host shown in connection errors (never a URL with credentials: we put none in URLs). */
  readonly hostLabel: string;
  /** Called before each retry, for metrics and logs. */
  readonly onRetry?: (info: { attempt: number; delayMs: number; reason: string; url: string }) => void;
}

/** Errors a reconnect may cure; TLS and DNS "not found" are not among them (a person must act). */
const TRANSIENT_NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/** What callers need of an HTTP client (tests substitute an in-memory one). */
export interface HttpTransport {
  request(req: HttpRequest): Promise<HttpResponse>;
}

/**
 * fetch over an undici Agent (so a custom CA can be trusted) with bounded retries. It knows nothing
 * about Databricks error bodies: callers map statuses to errors.
 */
export class HttpClient implements HttpTransport {
  private readonly agent: Agent;

  constructor(private readonly options: HttpClientOptions) {
    this.agent = new Agent({
      connect: options.caCert ? { ca: [...rootCertificates, options.caCert] } : {},
      keepAliveTimeout: 10_000,
    });
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      let retryReason: string;
      let retryAfterMs: number | undefined;
      try {
        const res = await this.once(req);
        if ((res.status === 429 || res.status === 503) && attempt < this.options.maxRetries) {
          retryReason = `HTTP ${res.status}`;
          retryAfterMs = parseRetryAfter(res.headers.get("retry-after"));
        } else {
          return res;
        }
      } catch (error) {
        if (req.signal?.aborted) throw req.signal.reason ?? error;
        const code = networkErrorCode(error);
        if (attempt >= this.options.maxRetries || !code || !TRANSIENT_NETWORK_CODES.has(code)) {
          throw new DatabricksConnectionError(this.options.hostLabel, describeNetworkError(error), {
            cause: error,
          });
        }
        retryReason = code;
      }
      const backoff = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** attempt);
      const delayMs = Math.min(this.options.maxDelayMs, retryAfterMs ?? Math.random() * backoff);
      this.options.onRetry?.({ attempt: attempt + 1, delayMs, reason: retryReason, url: redactUrl(req.url) });
      await sleep(delayMs, req.signal);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async once(req: HttpRequest): Promise<HttpResponse> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal,
      dispatcher: this.agent,
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers as unknown as Headers, text };
  }
}

function networkErrorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  if (error instanceof Error && error.name === "TimeoutError") return "ETIMEDOUT";
  return undefined;
}

/** "getaddrinfo ENOTFOUND nowhere.invalid" rather than undici's bare "fetch failed". */
export function describeNetworkError(error: unknown): string {
  const messages: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (e instanceof Error) {
      const code = (e as { code?: unknown }).code;
      const text =
        typeof code === "string" && !e.message.includes(code) ? `${code}: ${e.message}` : e.message;
      if (text && text !== "fetch failed") messages.push(text);
      e = e.cause;
    } else {
      messages.push(String(e));
      break;
    }
  }
  return messages.at(-1) ?? "network error";
}

function redactUrl(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
