import {
  type ComponentContext,
  createMessage,
  type Message,
  PoisonError,
  type WriteContext,
} from "@pipekit/core";
import { checkAktoRecord, startAktoIngestionEmulator } from "@pipekit/testkit-akto";
import { describe, expect, it } from "vitest";
import { createAktoHttpSink } from "../src/http-sink/index.js";
import {
  AKTO_MAX_RECORD_BYTES,
  type AktoRecord,
  aktoMappingTransform,
  contentType,
  fitRecordToBytes,
  mapExecutionToAktoRecords,
} from "../src/mapping/index.js";
import { chatAgentExecution } from "./fixtures/mapping-executions.js";

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const ctx: WriteContext = {
  componentId: "t",
  logger: silent,
  meter: {} as ComponentContext["meter"],
  tracer: {} as ComponentContext["tracer"],
  signal: new AbortController().signal,
  attempt: 1,
};

async function mapped(execution = chatAgentExecution): Promise<Message<AktoRecord>[]> {
  const out = await aktoMappingTransform().transform(createMessage(execution.requestId, execution), ctx);
  return Array.isArray(out) ? (out as Message<AktoRecord>[]) : [];
}

describe("the mapping encodes each record once", () => {
  it("carries the record's JSON as encoded text, sized by it", async () => {
    const out = await mapped();
    expect(out.length).toBeGreaterThan(1);
    for (const message of out) {
      expect(message.encoded!.text).toBe(JSON.stringify(message.value));
      expect(message.sizeBytes).toBe(Buffer.byteLength(message.encoded!.text));
    }
  });

  it("fits the encoded record to a smaller limit on request, largest payload first, marked", async () => {
    const big = { ...chatAgentExecution, rawRequest: JSON.stringify({ q: "é".repeat(50_000) }) };
    const [agent] = await mapped(big);
    const fitted = agent!.encoded!.fit!(20_000)!;
    expect(fitted.bytes).toBeLessThanOrEqual(20_000);
    expect(fitted.bytes).toBe(Buffer.byteLength(fitted.text));
    expect(fitted.truncated).toEqual(["requestPayload"]);
    const record = JSON.parse(fitted.text) as AktoRecord;
    expect(checkAktoRecord(record)).toEqual([]);
    expect(record.requestPayload).toMatch(/…\[TRUNCATED \d+ chars\]$/);
    // The small response is left whole; the message's own value is untouched.
    expect(record.responsePayload).toBe(agent!.value.responsePayload);
    expect(agent!.value.requestPayload).toBe(big.rawRequest);
    // Headers and tag alone are larger than 300 bytes: that record cannot be fitted.
    expect(agent!.encoded!.fit!(300)).toBeUndefined();
  });

  it("fitRecordToBytes leaves a record that fits alone and never mutates its input", () => {
    const [record] = mapExecutionToAktoRecords(chatAgentExecution);
    const text = JSON.stringify(record);
    const bytes = Buffer.byteLength(text);
    expect(fitRecordToBytes(record!, text, bytes, bytes)).toMatchObject({ record, text, removed: {} });
    const copy = structuredClone(record);
    const smaller = fitRecordToBytes(record!, text, bytes, bytes - 40)!;
    expect(smaller.bytes).toBeLessThanOrEqual(bytes - 40);
    expect(record).toEqual(copy);
  });

  it("dead-letters a record that cannot be fitted to Akto's limit (fields other than payloads too large)", async () => {
    const agent = { ...chatAgentExecution.agent, endpoint: "e".repeat(11_000_000) };
    const huge = { ...chatAgentExecution, agent, toolCalls: [] };
    await expect(mapped(huge)).rejects.toThrow(PoisonError);
    await expect(mapped(huge)).rejects.toThrow(
      /cannot be fitted to \d+ bytes: its fields other than the payloads/,
    );
  });

  it("labels bodies by shape", () => {
    for (const body of ['{"a":1}', " [1,2] ", '"text"', "42", "-1.5e3", "true", "null"]) {
      expect(contentType(body)).toBe("application/json");
    }
    for (const body of ["", "plain words", "{ unclosed", "42 apples", "[1,2", "'quoted'"]) {
      expect(contentType(body)).toBe("text/plain; charset=utf-8");
    }
  });
});

describe("the Akto HTTP sink sends encoded records as they are", () => {
  it("posts the encoded text without serialising the value, and fits one above Akto's record limit", async () => {
    const akto = await startAktoIngestionEmulator();
    const sink = createAktoHttpSink({ url: akto.url });
    try {
      const [record] = mapExecutionToAktoRecords(chatAgentExecution);
      const text = JSON.stringify(record);
      const trap = {
        toJSON() {
          throw new Error("the sink serialised a pre-encoded value");
        },
      };
      const plain = createMessage("plain", record);
      const encoded = createMessage("encoded", trap, {}, undefined, {
        text,
        bytes: Buffer.byteLength(text),
      });
      // Claims to be over the limit: the sink must ask for (and send) the fitted text.
      const oversized = createMessage("oversized", trap, {}, undefined, {
        text: "never sent",
        bytes: AKTO_MAX_RECORD_BYTES + 1,
        fit: (maxBytes) => {
          expect(maxBytes).toBe(AKTO_MAX_RECORD_BYTES);
          return { text, bytes: Buffer.byteLength(text), truncated: ["requestPayload"] };
        },
      });
      await sink.write([plain, encoded, oversized], ctx);
      expect(akto.records).toHaveLength(3);
      for (const received of akto.records) expect(received).toEqual(record);

      const unfittable = createMessage("unfittable", trap, {}, undefined, {
        text: "never sent",
        bytes: AKTO_MAX_RECORD_BYTES + 1,
        fit: () => undefined,
      });
      await expect(sink.write([unfittable], ctx)).rejects.toThrow(PoisonError);
      await expect(sink.write([unfittable], ctx)).rejects.toThrow(/unfittable .*cannot be shortened/);
      expect(akto.records).toHaveLength(3);
    } finally {
      await sink.close();
      await akto.close();
    }
  });
});
