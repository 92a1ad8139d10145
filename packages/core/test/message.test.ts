import { describe, expect, it } from "vitest";
import { estimateSize, messageJson } from "../src/advanced.js";
import { createMessage, deriveMessage, encodedJson } from "../src/index.js";

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

describe("deriveMessage sizing and encoded values", () => {
  /** A value that fails the test if anything serialises it. */
  const unserialisable = () => ({
    n: 1,
    toJSON() {
      throw new Error("serialised");
    },
  });

  it("never serialises a structured value to size it: keeps the parent's size", () => {
    const parent = createMessage("r1", { a: 1 }, {}, 4096);
    const child = deriveMessage(parent, unserialisable());
    expect(child.sizeBytes).toBe(4096);
    expect(deriveMessage(parent, "ab").sizeBytes).toBe(2);
    expect(deriveMessage(parent, unserialisable(), { sizeBytes: 7 }).sizeBytes).toBe(7);
  });

  it("sizes by the encoded text and keeps it only while the value is the same object", () => {
    const value = { path: "/x", payload: "é" };
    const encoded = encodedJson(JSON.stringify(value));
    expect(encoded.bytes).toBe(Buffer.byteLength(JSON.stringify(value)));
    const parent = createMessage("r1", { raw: true }, {}, 10);
    const record = deriveMessage(parent, value, { encoded });
    expect(record.sizeBytes).toBe(encoded.bytes);
    expect(record.encoded).toBe(encoded);
    expect(messageJson(record)).toBe(encoded.text);
    // Passing the same value on keeps the text; a new value drops it (it would describe the old one).
    expect(deriveMessage(record, value, { meta: { x: 1 } }).encoded).toBe(encoded);
    const changed = deriveMessage(record, { ...value, payload: "other" });
    expect(changed.encoded).toBeUndefined();
    expect(messageJson(changed)).toBe(JSON.stringify({ ...value, payload: "other" }));
  });

  it("leaves messages without encoded text as they were (no encoded key)", () => {
    const m = createMessage("r1", { a: 1 });
    expect("encoded" in m).toBe(false);
    expect(messageJson(m)).toBe('{"a":1}');
  });
});
