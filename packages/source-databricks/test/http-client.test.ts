import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { DatabricksConnectionError } from "../src/errors/errors.js";
import { HttpClient } from "../src/http/http-client.js";

let server: Server | undefined;
let client: HttpClient | undefined;

afterEach(async () => {
  await client?.close();
  if (server) {
    server.closeAllConnections();
    await new Promise((r) => server!.close(r));
  }
  server = undefined;
  client = undefined;
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function newClient(maxRetries: number) {
  const retries: { delayMs: number; reason: string }[] = [];
  client = new HttpClient({
    maxRetries,
    baseDelayMs: 5,
    maxDelayMs: 200,
    timeoutMs: 5_000,
    hostLabel: "ws.test",
    onRetry: (r) => retries.push(r),
  });
  return { client, retries };
}

describe("HttpClient", () => {
  it("retries 429 honouring Retry-After, and 503, then returns the answer", async () => {
    let n = 0;
    const url = await serve((_req, res) => {
      n++;
      if (n === 1) res.writeHead(429, { "retry-after": "0.05" }).end("slow down");
      else if (n === 2) res.writeHead(503).end();
      else res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
    const { client, retries } = newClient(3);
    const res = await client.request({ method: "GET", url: `${url}/api/2.0/x?token=secret` });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ ok: true });
    expect(retries.map((r) => r.reason)).toEqual(["HTTP 429", "HTTP 503"]);
    expect(retries[0]!.delayMs).toBe(50);
  });

  it("gives up after the bounded number of retries and returns the last answer", async () => {
    let n = 0;
    const url = await serve((_req, res) => {
      n++;
      res.writeHead(503).end();
    });
    const { client } = newClient(2);
    const res = await client.request({ method: "GET", url });
    expect(res.status).toBe(503);
    expect(n).toBe(3);
  });

  it("reports an unreachable host as 'Failed to connect to Databricks workspace'", async () => {
    const url = await serve(() => undefined);
    server!.close();
    server = undefined;
    const { client } = newClient(1);
    const error = await client.request({ method: "GET", url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabricksConnectionError);
    expect((error as Error).message).toMatch(
      /^Failed to connect to Databricks workspace ws\.test: .*ECONNREFUSED/,
    );
  });
});
