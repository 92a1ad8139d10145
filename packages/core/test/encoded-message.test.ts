import { describe, expect, it } from "vitest";
import { messageJson } from "../src/advanced.js";
import { createMessage, deriveEncodedMessage, encodedJson } from "../src/index.js";

describe("deriveEncodedMessage", () => {
  const parent = createMessage("req-1", { big: "x".repeat(100) }, { source: "databricks", partition: "t" });
  const record = { path: "/agent", payload: 'é ✓ "quoted"', n: 3 };
  const encoded = encodedJson(JSON.stringify(record));

  it("keeps the value as its text: reading it parses a fresh, equal copy", () => {
    const message = deriveEncodedMessage<typeof record>(parent, encoded, {
      id: "req-1#0",
      meta: { kind: "agent" },
    });
    expect(message.value).toEqual(record);
    expect(message.value).not.toBe(message.value);
    expect(message.id).toBe("req-1#0");
    expect(message.meta).toEqual({ source: "databricks", partition: "t", kind: "agent" });
    expect(message.sizeBytes).toBe(Buffer.byteLength(JSON.stringify(record)));
    expect(messageJson(message)).toBe(encoded.text);
  });

  it("looks like any other message to code that inspects it", () => {
    const message = deriveEncodedMessage(parent, encoded);
    expect(Object.keys(message)).toContain("value");
    expect(message).toEqual({
      id: "req-1",
      value: record,
      meta: parent.meta,
      sizeBytes: encoded.bytes,
      encoded,
    });
    expect(Object.isFrozen(message)).toBe(true);
    expect(Object.isFrozen(message.meta)).toBe(true);
  });
});
