import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DeadLetterRecord } from "../src/advanced.js";
import {
  createJsonLogger,
  FileCheckpointStore,
  type GeneratedValue,
  GenerateSource,
  JsonlFileSink,
  JsonlFileSource,
  MemoryCheckpointStore,
  MemorySink,
  NullSink,
  registerBuiltins,
  StdoutSink,
} from "../src/builtins.js";
import { ComponentRegistry, ConfigError, createMessage, encodedJson, runPipeline } from "../src/index.js";

describe("built-in components", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "pipekit-comp-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("generate: reproducible payloads of the given size, resuming after the committed position", async () => {
    const store = new MemoryCheckpointStore();
    const first = new MemorySink<GeneratedValue>();
    await runPipeline({
      source: new GenerateSource({ count: 5, size: 32, chunkSize: 2, seed: 7 }),
      sinks: [{ id: "m", sink: first }],
      deadLetter: new MemorySink(),
      checkpointStore: store,
    });
    expect(first.values.map((v) => v.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(first.values.every((v) => v.data.length === 32)).toBe(true);
    expect(first.messages[0]!.sizeBytes).toBe(JSON.stringify(first.values[0]).length);
    expect(store.positions.get("generate")).toEqual({ next: 5 });

    const again = new GenerateSource({ count: 5, size: 32, chunkSize: 2, seed: 7 });
    const second = new MemorySink<GeneratedValue>();
    await runPipeline({
      source: again,
      sinks: [{ id: "m", sink: second }],
      deadLetter: new MemorySink(),
      checkpointStore: store,
    });
    expect(second.values.map((v) => v.seq)).toEqual([5, 6, 7, 8, 9]);
    const sameSeed = new MemorySink<GeneratedValue>();
    await runPipeline({
      source: new GenerateSource({ count: 1, size: 32, seed: 7 }),
      sinks: [{ id: "m", sink: sameSeed }],
      deadLetter: new MemorySink(),
    });
    expect(sameSeed.values[0]).toEqual(first.values[0]);
    const unique = new MemorySink<GeneratedValue>();
    await runPipeline({
      source: new GenerateSource({ count: 1, size: 32, seed: 7, unique: true }),
      sinks: [{ id: "m", sink: unique }],
      deadLetter: new MemorySink(),
    });
    expect(unique.values[0]).toEqual(first.values[0]);
  });

  it("jsonl_file sink starts on a fresh line after a torn last line (a killed writer)", async () => {
    const path = join(dir, "torn.jsonl");
    await writeFile(path, '{"ok":1}\n{"torn":');
    const sink = new JsonlFileSink({ path });
    await sink.write([createMessage("a", { ok: 2 })]);
    await sink.close();
    expect((await readFile(path, "utf8")).split("\n")).toEqual(['{"ok":1}', '{"torn":', '{"ok":2}', ""]);
  });

  it("jsonl_file sink writes a message's encoded text as it is, JSON for plain values", async () => {
    const path = join(dir, "encoded.jsonl");
    const sink = new JsonlFileSink({ path, fsync: false });
    const value = {
      a: 1,
      toJSON() {
        throw new Error("the sink serialised a pre-encoded value");
      },
    };
    await sink.write([
      createMessage("e", value, {}, undefined, encodedJson('{"a":1}')),
      createMessage("p", { b: 2 }),
    ]);
    await sink.close();
    expect(await readFile(path, "utf8")).toBe('{"a":1}\n{"b":2}\n');
  });

  it("jsonl_file source → jsonl_file sink, dead-lettering a malformed line with file:line and resuming", async () => {
    const input = join(dir, "in.jsonl");
    const output = join(dir, "out.jsonl");
    await writeFile(input, '{"id":"a","v":1}\n{broken\n\n{"id":"b","v":2}\n');
    const dead = new MemorySink<DeadLetterRecord>();
    const store = new FileCheckpointStore(join(dir, "checkpoints.json"));
    const report = await runPipeline({
      source: new JsonlFileSource({ path: input, idField: "id", chunkSize: 2 }),
      sinks: [{ id: "file", sink: new JsonlFileSink({ path: output }) }],
      deadLetter: dead,
      checkpointStore: store,
    });
    expect(report.received).toBe(3);
    expect(
      (await readFile(output, "utf8"))
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { id: "a", v: 1 },
      { id: "b", v: 2 },
    ]);
    expect(dead.values).toHaveLength(1);
    expect(dead.values[0]!.stage).toBe("source");
    expect(dead.values[0]!.error.message).toContain(`Invalid JSON at ${input}:2`);
    expect(dead.values[0]!.message.value).toBe("{broken");

    await writeFile(input, '{"id":"c","v":3}\n', { flag: "a" });
    const resumed = new MemorySink();
    await runPipeline({
      source: new JsonlFileSource({ path: input, idField: "id" }),
      sinks: [{ id: "m", sink: resumed }],
      deadLetter: new MemorySink(),
      checkpointStore: new FileCheckpointStore(join(dir, "checkpoints.json")),
    });
    expect(resumed.messages.map((m) => m.id)).toEqual(["c"]);
  });

  it("null and stdout sinks", async () => {
    const nul = new NullSink();
    await nul.write([createMessage("a", "xy"), createMessage("b", "z")]);
    expect([nul.count, nul.bytes]).toEqual([2, 3]);
    const stream = new PassThrough();
    let text = "";
    stream.on("data", (d: Buffer) => {
      text += d.toString();
    });
    await new StdoutSink(stream).write([createMessage("a", { x: 1 }), createMessage("b", "s")]);
    expect(text).toBe('{"x":1}\n"s"\n');
  });

  it("registers the built-ins with validated configs", async () => {
    const registry = registerBuiltins(new ComponentRegistry());
    expect(
      registry
        .list("source")
        .map((d) => d.type)
        .sort(),
    ).toEqual(["generate", "jsonl_file"]);
    expect(
      registry
        .list("sink")
        .map((d) => d.type)
        .sort(),
    ).toEqual(["jsonl_file", "memory", "null", "stdout"]);
    const source = await registry.create(
      "source",
      "generate",
      { count: 3 },
      { logger: createJsonLogger(), baseDir: dir },
    );
    expect(source).toBeInstanceOf(GenerateSource);
    expect(() => registry.parse("source", "generate", { count: -1 }, ["pipeline", "source"])).toThrow(
      ConfigError,
    );
    expect(() => registry.parse("source", "generate", { count: -1 }, ["pipeline", "source"])).toThrow(
      "pipeline.source.count",
    );
    const sink = (await registry.create(
      "sink",
      "jsonl_file",
      { path: "out.jsonl" },
      { logger: createJsonLogger(), baseDir: dir },
    )) as JsonlFileSink;
    await sink.write([createMessage("a", 1)]);
    await sink.close();
    expect(await readFile(join(dir, "out.jsonl"), "utf8")).toBe("1\n");
  });

  it("json logger writes one object per line and reduces errors to name and message", () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ level: "info", write: (l) => lines.push(l) }).child({ component: "c" });
    logger.debug({}, "hidden");
    logger.error({ err: new Error("boom") }, "failed");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: "error",
      component: "c",
      msg: "failed",
      err: { name: "Error", message: "boom" },
    });
  });
});
