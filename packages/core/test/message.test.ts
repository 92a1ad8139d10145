import { describe, expect, it } from "vitest";
import { createMessage, deriveMessage, estimateSize } from "../src/index.js";

describe("Message", () => {
  it("is immutable and sized from its value", () => {
    const m = createMessage("r1", { a: "é" }, { source: "gen" });
    expect(Object.isFrozen(m)).toBe(true);
    expect(Object.isFrozen(m.meta)).toBe(true);
    expect(m.sizeBytes).toBe(Buffer.byteLength('{"a":"é"}'));
  });

  it("derives a child that keeps id and merges meta", () => {
    const parent = createMessage("r1", "x", { source: "gen", partition: "t1" });
    const child = deriveMessage(parent, "yy", { meta: { partition: "t2" } });
    expect(child.id).toBe("r1");
    expect(child.meta).toEqual({ source: "gen", partition: "t2" });
    expect(estimateSize("yy")).toBe(child.sizeBytes);
  });
});
