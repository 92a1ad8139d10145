import { mkdtempSync, rmSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ComponentRegistry, createMessage, runPipeline } from "@pipekit/core";
import { JsonlFileSink, jsonlFileSinkComponent, MemorySink } from "@pipekit/core/builtins";
import { ArraySource, chunked, messages } from "@pipekit/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pipekit-jsonl-modes-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const runTo = (sink: JsonlFileSink) =>
  runPipeline({
    source: new ArraySource(chunked(messages(3), 2)),
    sinks: [{ id: "file", sink }],
    deadLetter: new MemorySink(),
  });
const lines = async (path: string) => (await readFile(path, "utf8")).trim().split("\n");

describe("jsonl_file sink: write mode", () => {
  it("append (the default) keeps what a previous run wrote", async () => {
    const path = join(dir, "out.jsonl");
    await runTo(new JsonlFileSink({ path }));
    await runTo(new JsonlFileSink({ path }));
    expect(await lines(path)).toHaveLength(6);
  });

  it("overwrite empties the file when the pipeline opens: a re-run does not double it", async () => {
    const path = join(dir, "out.jsonl");
    await writeFile(path, '{"old":true}\n');
    await runTo(new JsonlFileSink({ path, mode: "overwrite" }));
    await runTo(new JsonlFileSink({ path, mode: "overwrite" }));
    expect(await lines(path)).toEqual(['{"n":0}', '{"n":1}', '{"n":2}']);
  });

  it("overwrite leaves an empty file when the run wrote nothing (the file holds this run only)", async () => {
    const path = join(dir, "out.jsonl");
    await writeFile(path, '{"old":true}\n');
    await runPipeline({
      source: new ArraySource([]),
      sinks: [{ id: "file", sink: new JsonlFileSink({ path, mode: "overwrite" }) }],
      deadLetter: new MemorySink(),
    });
    expect(await readFile(path, "utf8")).toBe("");
  });
});

describe("jsonl_file sink: fsync policy", () => {
  it("every_batch, on_close and never all write every line; true/false still mean every_batch/never", async () => {
    for (const fsync of ["every_batch", "on_close", "never", true, false] as const) {
      const path = join(dir, `out-${String(fsync)}.jsonl`);
      const sink = new JsonlFileSink({ path, fsync });
      await sink.write([createMessage("a", { a: 1 })]);
      await sink.close();
      expect(await lines(path)).toEqual(['{"a":1}']);
    }
  });

  it("the YAML config: defaults are append and every_batch, unknown values are problems", () => {
    const registry = new ComponentRegistry().register(jsonlFileSinkComponent);
    expect(registry.check("sink", "jsonl_file", { path: "x" }).config).toEqual({
      path: "x",
      mode: "append",
      fsync: "every_batch",
    });
    expect(registry.check("sink", "jsonl_file", { path: "x", fsync: false }).config).toMatchObject({
      fsync: "never",
    });
    const { problems } = registry.check("sink", "jsonl_file", {
      path: "x",
      mode: "truncate",
      fsync: "always",
    });
    expect(problems.map((p) => p.path.join("."))).toEqual(["mode", "fsync"]);
  });
});
