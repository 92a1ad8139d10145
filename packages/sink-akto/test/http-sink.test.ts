import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  ComponentRegistry,
  createMessage,
  FatalError,
  type Message,
  PoisonError,
  RetryableError,
  type WriteContext,
} from "@pipekit/core";
import {
  type AktoIngestionEmulator,
  sampleAktoRecord,
  startAktoIngestionEmulator,
} from "@pipekit/testkit-akto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AKTO_BATCH_DEFAULTS,
  AKTO_MAX_BODY_BYTES,
  type AktoHttpSink,
  aktoHttpSinkComponent,
  createAktoHttpSink,
} from "../src/http-sink/index.js";

const TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJha3RvLXNpbmsifQ.dG9wLXNlY3JldC1zaWduYXR1cmU";

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
function writeCtx(attempt = 1): WriteContext {
  // The sink uses neither meter nor tracer; the engine owns telemetry.
  return {
    componentId: "sinks.akto",
    logger: silent,
    meter: {} as WriteContext["meter"],
    tracer: {} as WriteContext["tracer"],
    signal: new AbortController().signal,
    attempt,
  };
}

const messages = (from: number, n: number, payloadBytes?: number): Message[] =>
  Array.from({ length: n }, (_, i) =>
    createMessage(`req-${from + i}`, sampleAktoRecord(from + i, payloadBytes ? { payloadBytes } : {})),
  );

/** The error a write rejects with (fails the test if it resolves). */
async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the write to fail");
}

let akto: AktoIngestionEmulator;
let sink: AktoHttpSink;
const openSinks: AktoHttpSink[] = [];
function newSink(overrides: Partial<Parameters<typeof createAktoHttpSink>[0]> = {}): AktoHttpSink {
  const s = createAktoHttpSink({
    url: akto.url,
    token: TOKEN,
    timeoutMs: 2_000,
    concurrency: 2,
    ...overrides,
  });
  openSinks.push(s);
  return s;
}

beforeEach(async () => {
  akto = await startAktoIngestionEmulator({ token: TOKEN });
  sink = newSink();
});
afterEach(async () => {
  await Promise.all(openSinks.splice(0).map((s) => s.close()));
  await akto.close();
});

describe("Akto HTTP sink: delivery", () => {
  it("POSTs a batch as {batchData:[…]} with the raw token, and Akto stores every record in order", async () => {
    const batch = messages(0, 5);
    await sink.write(batch, writeCtx());
    expect(akto.records).toEqual(batch.map((m) => m.value));
    expect(akto.requests.log).toEqual([
      expect.objectContaining({ status: 200, batchSize: 5, hadAuthorization: true }),
    ]);
  });

  it("works without a token when Akto runs with auth off, and sends no authorization header", async () => {
    akto.setToken(undefined);
    const anonymous = newSink({ token: undefined });
    await anonymous.write(messages(0, 2), writeCtx());
    expect(akto.requests.log[0]).toMatchObject({ status: 200, hadAuthorization: false });
  });

  it("keeps a base path in the URL and ignores a trailing slash", async () => {
    const s = newSink({ url: `${akto.url}/` });
    expect(s.endpoint).toBe(`${akto.url}/api/ingestData`);
    await s.write(messages(0, 1), writeCtx());
    expect(akto.records).toHaveLength(1);
  });

  it("does nothing for an empty batch", async () => {
    await sink.write([], writeCtx());
    expect(akto.requests.count).toBe(0);
  });

  it("reports health from GET /healthCheck", async () => {
    expect(await sink.health()).toMatchObject({ ok: true });
    const url = akto.url;
    await akto.close();
    const down = await createAktoHttpSink({ url, timeoutMs: 500, concurrency: 1 }).health();
    expect(down).toMatchObject({ ok: false, detail: expect.stringContaining("/healthCheck") });
    akto = await startAktoIngestionEmulator();
  });
});

describe("Akto HTTP sink: error classification against the emulator", () => {
  it.each([500, 502, 503])(
    "HTTP %i is retryable, and the batch goes through on the next attempt",
    async (status) => {
      akto.faults.inject({ kind: "status", status });
      const batch = messages(0, 3);
      const error = await failureOf(sink.write(batch, writeCtx(1)));
      expect(error).toBeInstanceOf(RetryableError);
      expect(error.message).toContain(`HTTP ${status}`);
      expect(sink.classifyError(error)).toBe("retryable");
      await sink.write(batch, writeCtx(2));
      expect(akto.records).toHaveLength(3);
    },
  );

  it("HTTP 429 is retryable and carries Retry-After (seconds) as retryAfterMs", async () => {
    akto.faults.inject({ kind: "status", status: 429, retryAfter: 7 });
    const error = await failureOf(sink.write(messages(0, 1), writeCtx()));
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).retryAfterMs).toBe(7_000);
  });

  it("HTTP 503 with an HTTP-date Retry-After gives the time until that date", async () => {
    const at = new Date(Date.now() + 60_000).toUTCString();
    akto.faults.inject({ kind: "status", status: 503, retryAfter: at });
    const error = (await failureOf(sink.write(messages(0, 1), writeCtx()))) as RetryableError;
    // HTTP-dates have whole-second precision.
    expect(error.retryAfterMs).toBeGreaterThan(58_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it("a response slower than timeoutMs is a retryable timeout", async () => {
    const slowSink = newSink({ timeoutMs: 150 });
    akto.faults.inject({ kind: "delay", delayMs: 600 });
    const started = performance.now();
    const error = await failureOf(slowSink.write(messages(0, 1), writeCtx()));
    expect(performance.now() - started).toBeLessThan(900);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toMatch(/did not answer within 150 ms/);
    // Akto still processes the abandoned request: the retry will duplicate it (at-least-once).
    await akto.waitForRecords(1);
    expect(akto.requests.log[0]).toMatchObject({ status: 200, accepted: 1 });
  });

  it("a connection reset is retryable", async () => {
    akto.faults.inject({ kind: "reset" });
    const error = await failureOf(sink.write(messages(0, 2), writeCtx()));
    expect(error).toBeInstanceOf(RetryableError);
    expect(akto.requests.statuses).toEqual(["reset"]);
    await sink.write(messages(0, 2), writeCtx(2));
    expect(akto.records).toHaveLength(2);
  });

  it("a pipeline stop (aborted signal) ends a pending write as retryable, without waiting for the timeout", async () => {
    akto.faults.inject({ kind: "delay", delayMs: 5_000 });
    const stop = new AbortController();
    const pending = failureOf(sink.write(messages(0, 1), { ...writeCtx(), signal: stop.signal }));
    await akto.waitForRequests(1);
    stop.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).not.toMatch(/did not answer within/);
  });

  it("a refused connection is retryable", async () => {
    const url = akto.url;
    await akto.close();
    const error = await failureOf(
      createAktoHttpSink({ url, timeoutMs: 500, concurrency: 1 }).write(messages(0, 1), writeCtx()),
    );
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toContain("ECONNREFUSED");
    akto = await startAktoIngestionEmulator();
  });

  it("a record Akto rejects (422) makes the batch poison, with the server's actionErrors message", async () => {
    akto.faults.inject({ kind: "rejectRecord", match: { contains: "POISON" }, message: "poisoned record" });
    const batch = messages(0, 3);
    const bad = createMessage("req-bad", sampleAktoRecord(9, { overrides: { requestPayload: "POISON" } }));
    const error = await failureOf(sink.write([...batch, bad], writeCtx()));
    expect(error).toBeInstanceOf(PoisonError);
    expect(error.message).toContain("HTTP 422");
    expect(error.message).toContain("batchData[3]: poisoned record");
    expect(sink.classifyError(error)).toBe("poison");
  });

  it("a record breaking Akto's rules (422 from the contract check) is poison too", async () => {
    const bad = createMessage("req-bad", sampleAktoRecord(0, { overrides: { source: "DATABRICKS" } }));
    const error = await failureOf(sink.write([bad], writeCtx()));
    expect(error).toBeInstanceOf(PoisonError);
    expect(error.message).toContain("batchData[0].source");
  });

  it("a body over Akto's 10 MiB limit (413) is poison", async () => {
    // 3 records of ~4 MiB: each is legal alone, together they pass the body limit.
    const batch = messages(0, 3, 4 * 1024 * 1024);
    const error = await failureOf(sink.write(batch, writeCtx()));
    expect(error).toBeInstanceOf(PoisonError);
    expect(error.message).toContain("HTTP 413");
    expect(akto.records).toHaveLength(0);
  });

  it("a value that is not a record object is poison before anything is sent", async () => {
    const error = await failureOf(sink.write([createMessage("x", "just a string")], writeCtx()));
    expect(error).toBeInstanceOf(PoisonError);
    expect(error.message).toContain("Message x is not an Akto record object");
    expect(akto.requests.count).toBe(0);
  });

  it("a wrong token (401) is fatal, and no error text contains the token", async () => {
    const wrong = `${TOKEN}-revoked`;
    const error = await failureOf(newSink({ token: wrong }).write(messages(0, 1), writeCtx()));
    expect(error).toBeInstanceOf(FatalError);
    expect(error.message).toMatch(/^Akto rejected the token \(HTTP 401\)/);
    expect(sink.classifyError(error)).toBe("fatal");
    const everything = `${error.message} ${error.stack} ${JSON.stringify(error)} ${String(error.cause)}`;
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(TOKEN);
  });

  it("a URL that is not the ingestion service (404) is fatal and says which setting to check", async () => {
    const error = await failureOf(
      newSink({ url: `${akto.url}/wrong-base` }).write(messages(0, 1), writeCtx()),
    );
    expect(error).toBeInstanceOf(FatalError);
    expect(error.message).toContain("HTTP 404");
    expect(error.message).toContain("DATA_INGESTION_SERVICE_URL");
  });
});

describe("Akto HTTP sink: the token never leaks", () => {
  let echo: ReturnType<typeof createServer>;
  let echoUrl: string;
  beforeEach(async () => {
    // A misbehaving proxy that echoes request headers in its error page.
    echo = createServer((req, res) => {
      req.resume();
      req.on("end", () =>
        res.writeHead(502).end(`bad gateway; you sent authorization=${req.headers.authorization}`),
      );
    });
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    echo.closeAllConnections();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  it("scrubs the token from server text quoted in errors and health details", async () => {
    const s = newSink({ url: echoUrl });
    const error = await failureOf(s.write(messages(0, 1), writeCtx()));
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toContain("authorization=[REDACTED]");
    expect(error.message).not.toContain(TOKEN);
    const health = await s.health();
    expect(health.ok).toBe(false);
    expect(health.detail).not.toContain(TOKEN);
  });

  it("drops credentials written into the URL from everything it prints", async () => {
    const s = newSink({ url: echoUrl.replace("http://", "http://user:hunter2@") });
    expect(s.endpoint).not.toContain("hunter2");
    const error = await failureOf(s.write(messages(0, 1), writeCtx()));
    expect(error.message).not.toContain("hunter2");
  });
});

describe("Akto HTTP sink: component and defaults", () => {
  it("registers as sink type akto_http with token as a secret field and validated config", async () => {
    const registry = new ComponentRegistry().register(aktoHttpSinkComponent);
    expect(aktoHttpSinkComponent.secretFields).toEqual(["token"]);
    expect(registry.parse("sink", "akto_http", { url: akto.url })).toEqual({
      url: akto.url,
      timeoutMs: 30_000,
      concurrency: 4,
    });
    expect(() => registry.parse("sink", "akto_http", { url: "ftp://x" }, ["sinks", "akto"])).toThrow(
      /sinks\.akto\.url/,
    );
    expect(() => registry.parse("sink", "akto_http", { url: akto.url, concurrency: 0 })).toThrow(
      /concurrency/,
    );
    const built = (await registry.create(
      "sink",
      "akto_http",
      { url: akto.url, token: TOKEN },
      {
        logger: silent,
        baseDir: ".",
      },
    )) as AktoHttpSink;
    openSinks.push(built);
    await built.write(messages(0, 2), writeCtx());
    expect(akto.records).toHaveLength(2);
  });

  it("exports batch defaults that keep a full batch under Akto's body limit", () => {
    expect(AKTO_BATCH_DEFAULTS.maxCount).toBe(50);
    expect(AKTO_BATCH_DEFAULTS.maxBytes).toBeLessThan(AKTO_MAX_BODY_BYTES);
    expect(AKTO_MAX_BODY_BYTES).toBe(10_485_760);
  });
});
