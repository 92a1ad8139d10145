import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { quickstart } from "../src/quickstart.js";

const lines = async (path: string) =>
  (await readFile(path, "utf8"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("quickstart example", () => {
  let dir: string;
  let files: { input: string; output: string; deadLetters: string; checkpoints: string };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "pipekit-quickstart-"));
    files = {
      input: join(dir, "orders.jsonl"),
      output: join(dir, "big-orders.jsonl"),
      deadLetters: join(dir, "dead-letters.jsonl"),
      checkpoints: join(dir, "checkpoints.json"),
    };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("prices and filters orders, dead-letters the malformed line, and resumes on the next run", async () => {
    await writeFile(
      files.input,
      [
        '{"id":"o1","qty":2,"unitPrice":60}',
        '{"id":"o2","qty":1,"unitPrice":5}',
        '{"id":"o3", qty: 3}',
        '{"id":"o4","qty":10,"unitPrice":10}',
      ].join("\n"),
    );
    const report = await quickstart(files);
    expect(report).toMatchObject({ received: 4, sent: { big_orders: 2 }, deadLettered: 1 });
    expect(await lines(files.output)).toEqual([
      { id: "o1", qty: 2, unitPrice: 60, total: 120 },
      { id: "o4", qty: 10, unitPrice: 10, total: 100 },
    ]);
    const [dead] = await lines(files.deadLetters);
    expect(dead).toMatchObject({
      stage: "source",
      message: { id: "orders.jsonl:3", value: '{"id":"o3", qty: 3}' },
    });

    await appendFile(files.input, '\n{"id":"o5","qty":1,"unitPrice":500}\n');
    const second = await quickstart(files);
    expect(second).toMatchObject({ received: 1, sent: { big_orders: 1 } });
    expect((await lines(files.output)).map((o) => o.id)).toEqual(["o1", "o4", "o5"]);
  });
});
