import { describe, expect, it } from "vitest";
import { lazyMerge } from "../src/read/lazy-merge.js";

/** A table-like generator that records when it opens, fetches and closes. */
function lane(name: string, chunks: number, log: string[]) {
  return async function* () {
    log.push(`open ${name}`);
    try {
      for (let i = 0; i < chunks; i++) {
        await Promise.resolve();
        log.push(`fetch ${name}${i}`);
        yield `${name}${i}`;
      }
    } finally {
      log.push(`close ${name}`);
    }
  };
}

describe("lazyMerge", () => {
  it("delivers every item of every lane exactly once", async () => {
    const log: string[] = [];
    const out: string[] = [];
    for await (const x of lazyMerge([lane("a", 3, log), lane("b", 2, log), lane("c", 1, log)], 2))
      out.push(x);
    expect(out.sort()).toEqual(["a0", "a1", "a2", "b0", "b1", "c0"]);
    expect(log.filter((l) => l.startsWith("close"))).toHaveLength(3);
  });

  it("never has more than maxOpen lanes open", async () => {
    const log: string[] = [];
    let open = 0;
    let maxSeen = 0;
    for await (const _ of lazyMerge(
      [lane("a", 2, log), lane("b", 2, log), lane("c", 2, log), lane("d", 2, log)],
      2,
    )) {
      open = log.filter((l) => l.startsWith("open")).length - log.filter((l) => l.startsWith("close")).length;
      maxSeen = Math.max(maxSeen, open);
    }
    expect(maxSeen).toBeLessThanOrEqual(2);
  });

  it("fetches at most one item beyond what was pulled, and closes every lane on early exit", async () => {
    const log: string[] = [];
    const it = lazyMerge([lane("a", 50, log), lane("b", 50, log), lane("c", 50, log)], 3)[
      Symbol.asyncIterator
    ]();
    const first = await it.next();
    expect(first.done).toBe(false);
    // Give any eager work every chance to run.
    for (let i = 0; i < 20; i++) await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    const fetched = log.filter((l) => l.startsWith("fetch")).length;
    expect(fetched).toBeLessThanOrEqual(2); // the pulled one + at most one read ahead
    await it.return?.(undefined);
    expect(log.filter((l) => l.startsWith("close")).length).toBe(
      log.filter((l) => l.startsWith("open")).length,
    );
  });

  it("passes a lane's failure on and still closes the others", async () => {
    const log: string[] = [];
    const failing = async function* () {
      yield "x0";
      throw new Error("boom");
    };
    const out: string[] = [];
    await expect(async () => {
      for await (const x of lazyMerge([failing, lane("b", 100, log)], 2)) out.push(x);
    }).rejects.toThrow("boom");
    expect(log).toContain("close b");
  });
});
