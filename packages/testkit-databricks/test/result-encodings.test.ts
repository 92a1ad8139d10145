import type { DBSQLClient } from "@databricks/sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ResultFormatOption, startWorkspaceEmulator, type WorkspaceEmulator } from "../src/index.js";
import { ResultLinks } from "../src/sql/result-links.js";
import { accessToken, connectDriver } from "./helpers.js";

// TSparkRowSetType (TCLIService.thrift).
const ARROW_BASED_SET = 0;
const COLUMN_BASED_SET = 1;
const URL_BASED_SET = 3;

const TYPES_QUERY = `SELECT 'x' AS s, CAST(5 AS INT) AS i, CAST(9007199254740 AS BIGINT) AS b, CAST(1.5 AS DOUBLE) AS d,
  CAST('2026-01-02 03:04:05.678' AS TIMESTAMP) AS ts, CAST('2026-01-02' AS DATE) AS dt,
  CAST(12.345 AS DECIMAL(10,3)) AS dec, ['MAX_RESPONSE_SIZE_EXCEEDED'] AS arr,
  MAP {'endpoint_name': 'support-agent'} AS m, {'a': 1, 'b': 'x'} AS st, '{"k":1}'::JSON AS v,
  CAST(NULL AS STRING) AS n`;

/** What the driver makes of every type whatever the encoding, except the time types below. */
const COMMON = {
  s: "x",
  i: 5,
  b: 9007199254740,
  d: 1.5,
  dec: 12.345,
  arr: ["MAX_RESPONSE_SIZE_EXCEEDED"],
  m: { endpoint_name: "support-agent" },
  st: { a: 1, b: "x" },
  // VARIANT travels as JSON text in every encoding (Arrow marks it in the field metadata).
  v: '{"k":1}',
  n: null,
};
const AS_TEXT = { ts: "2026-01-02 03:04:05.678", dt: "2026-01-02" };
const AS_ARROW = { ts: new Date("2026-01-02T03:04:05.678Z"), dt: new Date("2026-01-02T00:00:00.000Z") };

interface WireMetadata {
  resultFormat?: number;
  lz4Compressed?: boolean | null;
  arrowSchema?: Buffer | null;
}

/** The Thrift result metadata as the warehouse sent it (DBSQLOperation has it; IOperation does not declare it). */
function metadataOf(op: object): Promise<WireMetadata> {
  return (op as { getMetadata(): Promise<WireMetadata> }).getMetadata();
}

interface Case {
  format: ResultFormatOption;
  resultFormat: number;
  lz4: boolean;
  times: typeof AS_TEXT | typeof AS_ARROW;
}

const CASES: Case[] = [
  { format: "columns", resultFormat: COLUMN_BASED_SET, lz4: false, times: AS_TEXT },
  { format: "arrow", resultFormat: ARROW_BASED_SET, lz4: false, times: AS_ARROW },
  { format: "arrow-lz4", resultFormat: ARROW_BASED_SET, lz4: true, times: AS_ARROW },
  { format: "cloud-fetch", resultFormat: URL_BASED_SET, lz4: false, times: AS_ARROW },
  // auto, small result: inline Arrow (the driver offers downloads but the result is small).
  { format: "auto", resultFormat: ARROW_BASED_SET, lz4: false, times: AS_ARROW },
];

describe.each(CASES)("results as $format through the real @databricks/sql driver", (c) => {
  let ws: WorkspaceEmulator;
  let client: DBSQLClient;

  beforeAll(async () => {
    ws = await startWorkspaceEmulator({ seed: 3, rowsPerTable: 10, resultFormat: c.format });
    client = await connectDriver(ws, await accessToken(ws));
  });
  afterAll(async () => {
    await client?.close();
    await ws?.close();
  });

  it("sends the encoding the option asks for, and the driver decodes every type", async () => {
    const session = await client.openSession();
    const op = await session.executeStatement(TYPES_QUERY);
    const metadata = await metadataOf(op);
    expect(metadata.resultFormat).toBe(c.resultFormat);
    expect(Boolean(metadata.lz4Compressed)).toBe(c.lz4);
    const sent =
      c.resultFormat === COLUMN_BASED_SET ? "columns" : c.resultFormat === URL_BASED_SET ? "links" : "arrow";
    expect(ws.stats.resultEncodings[c.lz4 ? (`${sent}-lz4` as "arrow-lz4") : sent]).toBeGreaterThan(0);
    expect(metadata.arrowSchema !== null && metadata.arrowSchema !== undefined).toBe(
      c.resultFormat !== COLUMN_BASED_SET,
    );
    expect(await op.fetchAll()).toEqual([{ ...COMMON, ...c.times }]);
    await op.close();
    await session.close();
    if (c.resultFormat === URL_BASED_SET) {
      expect(ws.resultLinks.downloaded).toBeGreaterThan(0);
      expect(ws.resultLinks.refused).toBe(0);
    }
  });

  it("pages 30,000 rows in order, nothing lost or repeated", async () => {
    const session = await client.openSession();
    const op = await session.executeStatement(
      "SELECT i AS id, 'row ' || i AS body, TIMESTAMP '2026-01-01 00:00:00' + to_seconds(i) AS at FROM range(30000) r(i)",
      { maxRows: 10_000 },
    );
    let next = 0;
    let ordered = true;
    do {
      const chunk = (await op.fetchChunk({ maxRows: 10_000 })) as { id: number; body: string }[];
      for (const r of chunk) {
        if (r.id !== next || r.body !== `row ${next}`) ordered = false;
        next++;
      }
    } while (await op.hasMoreRows());
    await op.close();
    await session.close();
    expect(ordered).toBe(true);
    expect(next).toBe(30_000);
  });

  it("sends NULL of every type, and an empty result", async () => {
    const session = await client.openSession();
    const nulls = await session.executeStatement(
      `SELECT CAST(NULL AS INT) AS i, CAST(NULL AS BIGINT) AS b, CAST(NULL AS TIMESTAMP) AS ts,
        CAST(NULL AS DATE) AS dt, CAST(NULL AS DECIMAL(10,3)) AS dec, CAST(NULL AS VARCHAR[]) AS arr,
        CAST(NULL AS MAP(VARCHAR, VARCHAR)) AS m, MAP {'k': NULL::VARCHAR} AS m2, [NULL::VARCHAR, 'x'] AS arr2`,
    );
    expect(await nulls.fetchAll()).toEqual([
      {
        i: null,
        b: null,
        ts: null,
        dt: null,
        dec: null,
        arr: null,
        m: null,
        m2: { k: null },
        arr2: [null, "x"],
      },
    ]);
    await nulls.close();
    const empty = await session.executeStatement("SELECT i AS id FROM range(10) r(i) WHERE i < 0");
    expect(await empty.fetchAll()).toEqual([]);
    await empty.close();
    await session.close();
  });

  it("answers metadata calls column-based (they carry no Arrow capabilities)", async () => {
    const session = await client.openSession();
    const op = await session.getCatalogs();
    expect((await metadataOf(op)).resultFormat).toBe(COLUMN_BASED_SET);
    expect((await op.fetchAll()).map((r) => (r as { TABLE_CAT: string }).TABLE_CAT)).toContain("workspace");
    await op.close();
    await session.close();
  });
});

describe("what the client asked for decides the auto encoding", () => {
  let ws: WorkspaceEmulator;
  let client: DBSQLClient;

  beforeAll(async () => {
    ws = await startWorkspaceEmulator({ seed: 3, rowsPerTable: 10, cloudFetchThresholdBytes: 256 * 1024 });
    client = await connectDriver(ws, await accessToken(ws));
  });
  afterAll(async () => {
    await client?.close();
    await ws?.close();
  });

  it("a large result goes by presigned links, fetched without the Authorization header", async () => {
    const before = { ...ws.resultLinks };
    const session = await client.openSession();
    const op = await session.executeStatement(
      "SELECT i AS id, repeat('x', 200) AS body FROM range(20000) r(i)",
    );
    expect((await metadataOf(op)).resultFormat).toBe(URL_BASED_SET);
    const rows = (await op.fetchAll()) as { id: number }[];
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
    await op.close();
    await session.close();
    expect(ws.resultLinks.issued - before.issued).toBeGreaterThan(1);
    expect(ws.resultLinks.downloaded - before.downloaded).toBe(ws.resultLinks.issued - before.issued);
    // The files refuse a request that carries credentials (two auth mechanisms), so none was sent.
    expect(ws.resultLinks.refused).toBe(before.refused);
  });

  it("nested values keep their own Arrow types (a timestamp in a struct is a Date, a decimal a number)", async () => {
    const session = await client.openSession();
    const op = await session.executeStatement(
      `SELECT {'at': TIMESTAMP '2026-01-02 03:04:05.678', 'amount': CAST(1.25 AS DECIMAL(5,2)), 'tags': ['a']} AS st,
        [{'n': 1}, {'n': 2}] AS los, MAP {'k': [1, 2]} AS mol, MAP {7: 'seven'} AS intkeys`,
    );
    expect(await op.fetchAll()).toEqual([
      {
        st: { at: new Date("2026-01-02T03:04:05.678Z"), amount: 1.25, tags: ["a"] },
        los: [{ n: 1 }, { n: 2 }],
        mol: { k: [1, 2] },
        intkeys: { 7: "seven" },
      },
    ]);
    await op.close();
    await session.close();
  });

  it("LZ4 only when the client offers it: without cloud fetch the driver offers LZ4", async () => {
    const session = await client.openSession();
    const op = await session.executeStatement("SELECT 1 AS one", { useCloudFetch: false });
    const metadata = await metadataOf(op);
    expect(metadata.resultFormat).toBe(ARROW_BASED_SET);
    expect(metadata.lz4Compressed).toBe(true);
    expect(await op.fetchAll()).toEqual([{ one: 1 }]);
    await op.close();
    await session.close();
  });

  it("timestamps, decimals and complex types as strings when the client does not ask for native Arrow types", async () => {
    const plain = await connectDriver(ws, await accessToken(ws));
    // The driver has no public switch for this; its config object is what executeStatement reads.
    (plain as unknown as { config: { useArrowNativeTypes: boolean } }).config.useArrowNativeTypes = false;
    const session = await plain.openSession();
    const op = await session.executeStatement(TYPES_QUERY);
    expect((await metadataOf(op)).resultFormat).toBe(ARROW_BASED_SET);
    // Dates stay Arrow dates (Spark has no string form for them here); the rest is text the driver parses.
    expect(await op.fetchAll()).toEqual([{ ...COMMON, ts: AS_TEXT.ts, dt: AS_ARROW.dt }]);
    await op.close();
    await session.close();
    await plain.close();
  });

  it("a link issued expired is refused by the driver before it downloads; storage refuses it too", async () => {
    ws.faults.inject({ type: "expired-result-links", count: 1 });
    const session = await client.openSession();
    const op = await session.executeStatement(
      "SELECT i AS id, repeat('y', 200) AS body FROM range(20000) r(i)",
    );
    await expect(op.fetchAll()).rejects.toThrow(/CloudFetch link has expired/);
    await op.close().catch(() => undefined);
    await session.close();
    expect(ws.resultLinks.issuedExpired).toBe(1);
  });
});

describe("result storage (the presigned links' side)", () => {
  const links = new ResultLinks(() => "https://127.0.0.1:1", 60_000);

  it("serves a file by its link alone, and refuses credentials, expiry and closed statements", () => {
    const live = links.issue("op-1", Buffer.from("arrow bytes"), false);
    expect(live.url).toMatch(/^https:\/\/127\.0\.0\.1:1\/results-storage\/.+X-Amz-Signature=/);
    expect(live.expiresAt).toBeGreaterThan(Date.now());
    const path = new URL(live.url).pathname;
    expect(links.serve(path, "GET", "Bearer dapi123").status).toBe(400);
    const ok = links.serve(path, "GET", undefined);
    expect(ok.status).toBe(200);
    expect(ok.body.toString()).toBe("arrow bytes");

    const expired = links.issue("op-1", Buffer.from("late"), true);
    expect(expired.expiresAt).toBeLessThan(Date.now());
    const refused = links.serve(new URL(expired.url).pathname, "GET", undefined);
    expect(refused.status).toBe(403);
    expect(refused.body.toString()).toContain("Request has expired");

    links.dropOperation("op-1");
    expect(links.serve(path, "GET", undefined).status).toBe(404);
    expect(links.stats).toEqual({ issued: 2, downloaded: 1, issuedExpired: 1, refused: 3 });
  });
});
