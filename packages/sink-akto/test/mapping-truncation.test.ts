import { createMessage } from "@pipekit/core";
import { checkAktoBatchBody, checkAktoRecord } from "@pipekit/testkit-akto";
import { describe, expect, it } from "vitest";
import {
  AKTO_MAX_RECORD_BYTES,
  AKTO_MAX_STRING_CHARS,
  aktoMappingTransform,
  mapExecutionToAktoRecords,
} from "../src/mapping/index.js";
import { chatAgentExecution } from "./fixtures/mapping-executions.js";

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const MARKER = /…\[TRUNCATED (\d+) chars\]$/;

describe("truncation to Akto's limits", () => {
  it("cuts a 6 MB request payload to 5,242,880 chars with a marker, keeps the rest, and says so", async () => {
    const huge = `{"messages":[{"role":"user","content":"${"x".repeat(6_000_000)}"}]}`;
    const warnings: object[] = [];
    const logger = {
      debug() {},
      info() {},
      warn: (obj: object) => warnings.push(obj),
      error() {},
      child: () => logger,
    };
    const ctx = {
      componentId: "t",
      logger,
      meter: undefined as never,
      tracer: undefined as never,
      signal: new AbortController().signal,
    };
    const input = createMessage("big", { ...chatAgentExecution, requestId: "big", rawRequest: huge });
    const out = await aktoMappingTransform({ includeToolCalls: false }).transform(input, ctx);
    const [message] = Array.isArray(out) ? out : [];
    const record = message!.value;

    expect(record.requestPayload.length).toBe(AKTO_MAX_STRING_CHARS);
    const removed = Number(MARKER.exec(record.requestPayload)?.[1]);
    expect(removed).toBe(
      huge.length - (record.requestPayload.length - MARKER.exec(record.requestPayload)![0].length),
    );
    expect(huge.startsWith(record.requestPayload.replace(MARKER, ""))).toBe(true);
    expect(record.responsePayload).toBe(chatAgentExecution.rawResponse);
    expect(message!.meta.truncated).toEqual(["requestPayload"]);
    expect(checkAktoRecord(record)).toEqual([]);
    // The warning says what was cut and how much, never the content.
    expect(warnings).toEqual([
      {
        messageId: "big",
        recordId: "big",
        truncated: ["requestPayload"],
        removedChars: { requestPayload: removed },
      },
    ]);
  });

  it("keeps a record of multi-byte text under the 10 MiB body limit though each string fits the char limit", () => {
    // 4.5M three-byte characters each: under 5,242,880 chars, but 13.5 MB of UTF-8 per payload.
    const euros = "€".repeat(4_500_000);
    const [record] = mapExecutionToAktoRecords(
      { ...chatAgentExecution, rawRequest: euros, rawResponse: euros, toolCalls: [] },
      {},
    );
    const bytes = Buffer.byteLength(JSON.stringify(record));
    expect(bytes).toBeLessThanOrEqual(AKTO_MAX_RECORD_BYTES);
    expect(bytes).toBeGreaterThan(AKTO_MAX_RECORD_BYTES - 64);
    expect(record!.requestPayload).toMatch(MARKER);
    expect(record!.responsePayload).toMatch(MARKER);
    expect(checkAktoBatchBody({ batchData: [record] })).toEqual([]);
  });

  it("gives the whole byte budget to the big payload when the other is small, counting JSON escapes", () => {
    // Quotes double in JSON: 6M of them is 12 MB on the wire.
    const quotes = '"'.repeat(6_000_000);
    const [, tool] = mapExecutionToAktoRecords({
      ...chatAgentExecution,
      toolCalls: [{ id: "c1", name: "echo", arguments: "{}", result: quotes }],
    });
    expect(tool!.requestPayload).toBe("{}");
    expect(tool!.responsePayload).toMatch(MARKER);
    expect(Buffer.byteLength(JSON.stringify(tool))).toBeLessThanOrEqual(AKTO_MAX_RECORD_BYTES);
    expect(Buffer.byteLength(JSON.stringify(tool))).toBeGreaterThan(AKTO_MAX_RECORD_BYTES - 64);
    expect(checkAktoRecord(tool)).toEqual([]);
  });

  it("never splits a surrogate pair at the cut", () => {
    const emoji = "😀".repeat(3_000_000); // 6M UTF-16 units
    const [record] = mapExecutionToAktoRecords({ ...chatAgentExecution, rawRequest: emoji, toolCalls: [] });
    const kept = record!.requestPayload.replace(MARKER, "");
    expect(kept.length % 2).toBe(0);
    expect(kept).not.toMatch(LONE_SURROGATE);
  });
});
