import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type AktoIngestionEmulator,
  type AktoIngestionEmulatorOptions,
  sampleAktoRecord,
  startAktoIngestionEmulator,
} from "../src/index.js";

const TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJl";

let akto: AktoIngestionEmulator;
async function start(options: AktoIngestionEmulatorOptions = {}): Promise<AktoIngestionEmulator> {
  akto = await startAktoIngestionEmulator(options);
  return akto;
}
afterEach(async () => {
  await akto?.close();
});

async function ingest(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${akto.url}/api/ingestData`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

const batch = (from: number, n: number) => ({
  batchData: Array.from({ length: n }, (_, i) => sampleAktoRecord(from + i)),
});

describe("Akto ingestion emulator: contract", () => {
  beforeEach(async () => {
    await start();
  });

  it("answers the health and auth-check endpoints with {success:true}", async () => {
    for (const path of ["/healthCheck", "/api/auth-check"]) {
      const res = await fetch(`${akto.url}${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ success: true });
    }
  });

  it("accepts a batch with 200 and keeps the records in arrival order", async () => {
    expect(await ingest(batch(0, 3))).toMatchObject({ status: 200, json: { success: true } });
    expect(await ingest(batch(3, 2))).toMatchObject({ status: 200 });
    expect(akto.records.map((r) => r.time)).toEqual(
      ["0", "1", "2", "3", "4"].map((n) => String(1_764_263_000 + Number(n))),
    );
    expect(akto.acceptedCount).toBe(5);
    expect(akto.requests.statuses).toEqual([200, 200]);
  });

  it("answers 422 with actionErrors when batchData is missing or not an array", async () => {
    const missing = await ingest({ records: [] });
    expect(missing.status).toBe(422);
    expect(missing.json.actionErrors).toEqual(["batchData is missing"]);
    expect((await ingest({ batchData: {} })).status).toBe(422);
    expect((await ingest("{not json")).status).toBe(422);
    expect(akto.records).toHaveLength(0);
  });

  it("rejects a record that breaks Akto's rules with 422, having accepted the records before it", async () => {
    const records = [
      sampleAktoRecord(0),
      sampleAktoRecord(1),
      sampleAktoRecord(2, { overrides: { time: "1764263000123" } }),
      sampleAktoRecord(3),
    ];
    const res = await ingest({ batchData: records });
    expect(res.status).toBe(422);
    expect(String((res.json.actionErrors as string[])[0])).toMatch(/^batchData\[2\]\.time: /);
    expect(akto.records.map((r) => r.time)).toEqual([records[0]!.time, records[1]!.time]);
    expect(akto.requests.log[0]).toMatchObject({ status: 422, batchSize: 4, accepted: 2 });
  });

  it("answers 413 for a body over 10,485,760 bytes and stores nothing", async () => {
    const big = { batchData: [sampleAktoRecord(0, { payloadBytes: 10_485_760 })] };
    const res = await ingest(big);
    expect(res.status).toBe(413);
    expect(akto.records).toHaveLength(0);
  });

  it("answers 422 for a string over 5,242,880 characters inside a body under the byte limit", async () => {
    const record = sampleAktoRecord(0, { overrides: { responsePayload: "y".repeat(5_242_881) } });
    const res = await ingest({ batchData: [record] });
    expect(res.status).toBe(422);
    expect(String((res.json.actionErrors as string[])[0])).toContain("batchData[0].responsePayload");
    const atLimit = sampleAktoRecord(1, { overrides: { responsePayload: "y".repeat(5_242_880) } });
    expect((await ingest({ batchData: [atLimit] })).status).toBe(200);
  });

  it("answers 404 for unknown paths and 405 for non-POST ingestion", async () => {
    expect((await fetch(`${akto.url}/api/nope`)).status).toBe(404);
    expect((await fetch(`${akto.url}/api/ingestData`)).status).toBe(405);
  });
});

describe("Akto ingestion emulator: authorization", () => {
  it("requires the raw token in `authorization` when one is configured", async () => {
    await start({ token: TOKEN });
    expect((await ingest(batch(0, 1))).status).toBe(401);
    expect((await ingest(batch(0, 1), { authorization: "wrong" })).status).toBe(401);
    expect((await ingest(batch(0, 1), { authorization: `Bearer ${TOKEN}` })).status).toBe(401);
    expect((await fetch(`${akto.url}/api/auth-check`)).status).toBe(401);
    expect((await ingest(batch(0, 1), { authorization: TOKEN })).status).toBe(200);
    expect(akto.records).toHaveLength(1);
    expect(JSON.stringify(akto.requests.log)).not.toContain(TOKEN);
  });

  it("turns auth on and off while running, programmatically and over the admin API", async () => {
    await start();
    expect((await ingest(batch(0, 1))).status).toBe(200);
    akto.setToken(TOKEN);
    expect((await ingest(batch(1, 1))).status).toBe(401);
    const off = await fetch(`${akto.url}/__emulator/auth`, {
      method: "POST",
      body: JSON.stringify({ token: null }),
    });
    expect(await off.json()).toEqual({ auth: "off" });
    expect((await ingest(batch(2, 1))).status).toBe(200);
  });
});

describe("Akto ingestion emulator: faults", () => {
  beforeEach(async () => {
    await start();
  });

  it("injects error statuses for `count` requests, storing nothing for them", async () => {
    akto.faults.inject({ kind: "status", status: 503, count: 2 }, { kind: "status", status: 502 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await ingest(batch(i, 1))).status);
    expect(statuses).toEqual([503, 503, 502, 200]);
    expect(akto.records).toHaveLength(1);
    expect(akto.faults.fired.status).toBe(3);
  });

  it("sends Retry-After with an injected 429", async () => {
    akto.faults.inject({ kind: "status", status: 429, retryAfter: 7 });
    const res = await ingest(batch(0, 1));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
  });

  it("delays a response and then handles the request normally", async () => {
    akto.faults.inject({ kind: "delay", delayMs: 300 });
    const started = performance.now();
    expect((await ingest(batch(0, 1))).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(akto.records).toHaveLength(1);
  });

  it("resets the connection without an answer", async () => {
    akto.faults.inject({ kind: "reset" });
    await expect(ingest(batch(0, 1))).rejects.toThrow();
    expect(akto.requests.statuses).toEqual(["reset"]);
    expect((await ingest(batch(1, 1))).status).toBe(200);
  });

  it("rejects every batch holding a marked record (422 with the fault's message) until cleared", async () => {
    akto.faults.inject({ kind: "rejectRecord", match: { contains: "POISON" }, message: "poisoned record" });
    const poisoned = sampleAktoRecord(1, { overrides: { requestPayload: '{"q":"POISON"}' } });
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await ingest({ batchData: [sampleAktoRecord(0), poisoned, sampleAktoRecord(2)] });
      expect(res.status).toBe(422);
      expect(res.json.actionErrors).toEqual(["batchData[1]: poisoned record"]);
    }
    expect(akto.records.map((r) => r.time)).toEqual([sampleAktoRecord(0).time, sampleAktoRecord(0).time]);
    expect((await ingest({ batchData: [sampleAktoRecord(3)] })).status).toBe(200);
    akto.faults.clear();
    expect((await ingest({ batchData: [poisoned] })).status).toBe(200);
  });

  it("matches records with a predicate", async () => {
    akto.faults.inject({ kind: "rejectRecord", match: (r) => r.time === sampleAktoRecord(5).time });
    expect((await ingest(batch(4, 2))).status).toBe(422);
    expect((await ingest(batch(6, 2))).status).toBe(200);
  });

  it("takes faults from other processes over POST /__emulator/faults and reports stats", async () => {
    const post = await fetch(`${akto.url}/__emulator/faults`, {
      method: "POST",
      body: JSON.stringify([
        { kind: "status", status: 500 },
        { kind: "rejectRecord", match: { contains: "MARK" } },
      ]),
    });
    expect(await post.json()).toEqual({ injected: 2, pending: 2 });
    expect((await ingest(batch(0, 1))).status).toBe(500);
    const marked = sampleAktoRecord(1, { overrides: { path: "/serving-endpoints/MARK/invocations" } });
    expect((await ingest({ batchData: [marked] })).status).toBe(422);
    const stats = await (await fetch(`${akto.url}/__emulator/stats`)).json();
    expect(stats).toMatchObject({ accepted: 0, requests: 2, statuses: [500, 422], pendingFaults: 1 });
    await fetch(`${akto.url}/__emulator/faults`, { method: "DELETE" });
    expect((await ingest({ batchData: [marked] })).status).toBe(200);
  });

  it("refuses a malformed fault with a message naming the field", async () => {
    expect(() => akto.faults.inject({ kind: "status", status: 200 })).toThrow(/fault\.status/);
    const res = await fetch(`${akto.url}/__emulator/faults`, {
      method: "POST",
      body: JSON.stringify({ kind: "explode" }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.stringMatching(/fault\.kind/) });
  });

  it("waits for records without sleeping, and times out with a clear message", async () => {
    const waiting = akto.waitForRecords(3);
    await ingest(batch(0, 2));
    await ingest(batch(2, 1));
    await expect(waiting).resolves.toBeUndefined();
    await expect(akto.waitForRecords(10, 50)).rejects.toThrow(/3 of 10 records/);
  });
});
