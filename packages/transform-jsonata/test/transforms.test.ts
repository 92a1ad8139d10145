import { ComponentRegistry, createMessage, PoisonError, runPipeline, silentLogger } from "@pipekit/core";
import { MemorySink } from "@pipekit/core/builtins";
import { ArraySource, chunked } from "@pipekit/core/testing";
import { describe, expect, it } from "vitest";
import { components, jsonataFilter, jsonataMapping } from "../src/index.js";

const ctx = {
  componentId: "t",
  logger: silentLogger,
  meter: {} as never,
  tracer: {} as never,
  signal: new AbortController().signal,
};
const order = (id: string, value: unknown) => createMessage(id, value, { partition: "orders" });

describe("mapping", () => {
  it("replaces the value by the expression's result, with $id and $meta bound", async () => {
    const t = jsonataMapping('$merge([$, {"total": qty * unitPrice, "from": $meta.partition, "ref": $id}])');
    const out = await t.transform(order("o1", { qty: 3, unitPrice: 2.5 }), ctx);
    expect(out).toMatchObject({
      id: "o1",
      value: { qty: 3, unitPrice: 2.5, total: 7.5, from: "orders", ref: "o1" },
    });
  });

  it("an evaluation error is poison naming the JSONata error and where it happened", async () => {
    const t = jsonataMapping("$number(code) + 1");
    await expect(t.transform(order("o1", { code: "abc" }), ctx)).rejects.toThrow(PoisonError);
    await expect(t.transform(order("o1", { code: "abc" }), ctx)).rejects.toThrow(
      /mapping: D3030: .*at character/,
    );
  });

  it("selecting nothing is poison too (dropping messages is the filter's job)", async () => {
    const t = jsonataMapping("missing.field");
    await expect(t.transform(order("o1", { qty: 1 }), ctx)).rejects.toThrow(/selected nothing/);
  });
});

describe("filter", () => {
  it("keeps true, drops false and nothing-selected, dead-letters other results", async () => {
    const t = jsonataFilter('status = "ok" and durationMs > 100');
    const keep = order("a", { status: "ok", durationMs: 200 });
    expect(await t.transform(keep, ctx)).toBe(keep);
    expect(await t.transform(order("b", { status: "ok", durationMs: 50 }), ctx)).toBeNull();
    expect(await jsonataFilter("flag").transform(order("c", {}), ctx)).toBeNull();
    await expect(jsonataFilter("name").transform(order("d", { name: "x" }), ctx)).rejects.toThrow(
      /expected true or false/,
    );
  });

  it("in a pipeline: poison is dead-lettered with its reason and the rest goes on", async () => {
    const values = [{ n: 1 }, { n: "two" }, { n: 3 }, { n: 4 }];
    const sink = new MemorySink();
    const deadLetters = new MemorySink<{ error: { message: string } }>();
    const report = await runPipeline({
      source: new ArraySource(
        chunked(
          values.map((v, i) => createMessage(`m${i}`, v)),
          2,
        ),
      ),
      transforms: [jsonataFilter("$number(n) > 1"), jsonataMapping('{"doubled": n * 2}')],
      sinks: [{ id: "out", sink }],
      deadLetter: deadLetters,
    });
    expect(sink.values).toEqual([{ doubled: 6 }, { doubled: 8 }]);
    expect(report.deadLettered).toBe(1);
    expect(deadLetters.values[0]?.error.message).toMatch(/^filter: /);
  });
});

describe("config check", () => {
  const registry = new ComponentRegistry();
  for (const definition of components) registry.register(definition);

  it("a syntax error is a problem at the expression's own path", () => {
    const { problems } = registry.check(
      "transform",
      "mapping",
      { type: "mapping", expression: '{"a": qty * }' },
      ["transforms", 2],
      { ignoreKeys: ["type"] },
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toEqual(["transforms", 2, "expression"]);
    expect(problems[0]?.message).toMatch(/^invalid JSONata expression: S0\d{3}: .*\(at character \d+\)/);
  });

  it("unknown keys and an empty condition are reported like any component's", () => {
    const { problems } = registry.check("transform", "filter", { type: "filter", conditon: "x" }, [], {
      ignoreKeys: ["type"],
    });
    expect(problems.map((p) => p.message)).toContain('unknown key "conditon"; did you mean "condition"?');
    const empty = registry.check("transform", "filter", { condition: "  " });
    expect(empty.problems[0]?.message).toMatch(/empty/);
  });
});

describe("bounded evaluation", () => {
  it("runaway recursion, huge sequences and slow expressions fail that message, not the process", async () => {
    const recursion = jsonataMapping("($f := function($x) { $f($x + 1) }; $f(0))");
    await expect(recursion.transform(order("r", {}), ctx)).rejects.toThrow(PoisonError);
    const huge = jsonataMapping("[1..10000000]");
    await expect(huge.transform(order("h", {}), ctx)).rejects.toThrow(PoisonError);
    const slow = jsonataFilter("$count([1..90000].($string($))) > 0", { timeoutMs: 5 });
    await expect(slow.transform(order("s", {}), ctx)).rejects.toThrow(/filter: D1012: Evaluation timeout/);
  });
});
