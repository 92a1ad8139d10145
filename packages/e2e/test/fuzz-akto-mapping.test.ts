/**
 * Bad input for the Akto mapping (@pipekit/sink-akto): the transform turns any message value into
 * records or throws the documented PoisonError naming the message; executions that pass the schema
 * but carry hostile strings and numbers map to records within Akto's limits or poison, never crash.
 */
import { type AgentExecution, AgentExecutionSchema } from "@pipekit/agent-execution";
import { type ComponentContext, createMessage, PoisonError, silentLogger } from "@pipekit/core";
import {
  AKTO_MAX_RECORD_BYTES,
  AKTO_MAX_STRING_CHARS,
  type AktoRecord,
  aktoMappingTransform,
  mapExecutionToAktoRecords,
} from "@pipekit/sink-akto/mapping";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { FuzzTally, HUGE_CHARS, hugeString, nastyNumber, nastyString, nastyValue } from "./fuzz-support.js";

const tally = new FuzzTally();
const transform = aktoMappingTransform();
const ctx = {
  componentId: "akto_mapping",
  logger: silentLogger,
  signal: new AbortController().signal,
} as ComponentContext;

/** Every field a string, JSON fields JSON, the whole record within Akto's limits. */
function expectValidRecord(record: AktoRecord): void {
  for (const [field, value] of Object.entries(record)) expect(typeof value, field).toBe("string");
  expect(() => JSON.parse(record.requestHeaders)).not.toThrow();
  expect(() => JSON.parse(record.responseHeaders)).not.toThrow();
  expect(() => JSON.parse(record.tag)).not.toThrow();
  expect(Number.isInteger(Number(record.time))).toBe(true);
  expect(record.requestPayload.length).toBeLessThanOrEqual(AKTO_MAX_STRING_CHARS);
  expect(record.responsePayload.length).toBeLessThanOrEqual(AKTO_MAX_STRING_CHARS);
  expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThanOrEqual(AKTO_MAX_RECORD_BYTES);
}

const text = fc.oneof(nastyString, fc.constant(""));
const toolCall = fc.record(
  {
    id: text,
    name: text,
    arguments: text,
    result: text,
    startTime: nastyNumber,
    durationMs: nastyNumber,
    error: text,
  },
  { requiredKeys: ["id", "name", "arguments"] },
);
const message = fc.record({ role: text, content: text, name: text }, { requiredKeys: ["role", "content"] });

/** Schema-valid AgentExecutions with hostile contents (NaN/Infinity/negatives are not schema-valid and are filtered by the schema). */
const hostileExecution: fc.Arbitrary<unknown> = fc.record({
  platform: text,
  workspace: text,
  agent: fc.record(
    { endpoint: text, model: text, modelVersion: text, task: text },
    { requiredKeys: ["endpoint"] },
  ),
  requestId: text,
  clientRequestId: fc.option(text, { nil: undefined }),
  table: text,
  startTime: fc.oneof(nastyNumber, fc.integer({ min: 0, max: 4_102_444_800_000 })),
  durationMs: fc.option(nastyNumber, { nil: undefined }),
  statusCode: fc.oneof(fc.integer({ min: -1000, max: 2000 }), fc.constantFrom(200, 404, 500)),
  status: fc.constantFrom("ok", "error"),
  payloadFormat: text,
  input: fc.array(message, { maxLength: 3 }),
  output: fc.array(message, { maxLength: 3 }),
  toolCalls: fc.array(toolCall, { maxLength: 4 }),
  error: fc.option(text, { nil: undefined }),
  requester: fc.option(text, { nil: undefined }),
  rawRequest: text,
  rawResponse: text,
  attributes: fc.dictionary(nastyString, nastyString, { maxKeys: 3 }),
});

describe("Akto mapping under hostile input", () => {
  it("transform: any message value → records, or PoisonError naming the message", () => {
    fc.assert(
      fc.property(fc.oneof(nastyValue, hostileExecution), nastyString, (value, id) => {
        try {
          const out = transform.transform(createMessage(id, value as AgentExecution), ctx) as unknown as {
            value: AktoRecord;
          }[];
          for (const m of out) expectValidRecord(m.value);
          tally.add("akto mapping: random message values", "mapped");
        } catch (error) {
          if (!(error instanceof PoisonError)) throw error;
          // Schema failures name the message; mapping failures name the execution's request id
          // (the same string in a pipeline, where the source sets message id = request id).
          const requestId = (value as { requestId?: unknown } | null)?.requestId;
          expect([id, requestId].some((s) => typeof s === "string" && error.message.includes(`"${s}"`))).toBe(
            true,
          );
          tally.add("akto mapping: random message values", "PoisonError");
        }
      }),
      { numRuns: 600 },
    );
  });

  it("mapExecutionToAktoRecords: schema-valid executions map within limits or poison", () => {
    fc.assert(
      fc.property(hostileExecution, (candidate) => {
        const parsed = AgentExecutionSchema.safeParse(candidate);
        fc.pre(parsed.success);
        const execution = parsed.data!;
        try {
          const records = mapExecutionToAktoRecords(execution);
          expect(records.length).toBe(1 + execution.toolCalls.length);
          for (const r of records) expectValidRecord(r);
          tally.add("akto mapping: schema-valid hostile executions", "mapped");
        } catch (error) {
          if (!(error instanceof PoisonError)) throw error;
          expect(error.message).toContain(`"${execution.requestId}"`);
          tally.add("akto mapping: schema-valid hostile executions", "PoisonError");
        }
      }),
      { numRuns: 400 },
    );
  });

  describe("named hostile cases", () => {
    const good: AgentExecution = {
      platform: "databricks",
      workspace: "fuzz.cloud.databricks.com",
      agent: { endpoint: "fuzz-agent" },
      requestId: "req-map",
      table: "workspace.default.fuzz_payload",
      startTime: Date.UTC(2025, 0, 1),
      statusCode: 200,
      status: "ok",
      payloadFormat: "chat-completions",
      input: [],
      output: [],
      toolCalls: [],
      rawRequest: "{}",
      rawResponse: "{}",
      attributes: {},
    };
    const cases: [string, unknown, "mapped" | "PoisonError"][] = [
      ["null", null, "PoisonError"],
      ["a string", "not an execution", "PoisonError"],
      ["an array for the execution", [good], "PoisonError"],
      ["numbers where strings go", { ...good, requestId: 7, rawRequest: 1 }, "PoisonError"],
      ["an object for toolCalls", { ...good, toolCalls: { id: "x" } }, "PoisonError"],
      ["startTime beyond Akto's int32 seconds", { ...good, startTime: 9e15 }, "PoisonError"],
      ["negative startTime", { ...good, startTime: -1 }, "PoisonError"],
      ["status 999", { ...good, statusCode: 999 }, "PoisonError"],
      ["unexpected fields", { ...good, extra: { deep: [1, 2] }, __proto__: { x: 1 } }, "mapped"],
      [
        "10 MB request and response",
        { ...good, rawRequest: hugeString(HUGE_CHARS), rawResponse: hugeString(HUGE_CHARS) },
        "mapped",
      ],
      ["10 MB of lone surrogates", { ...good, rawRequest: "\ud800".repeat(HUGE_CHARS) }, "mapped"],
      [
        "10 MB tool arguments",
        { ...good, toolCalls: [{ id: "t", name: "n", arguments: hugeString(HUGE_CHARS) }] },
        "mapped",
      ],
      ["endpoint of emoji and dots", { ...good, agent: { endpoint: "..\u{1f600}..\ud800" } }, "mapped"],
      ["10 MB request id", { ...good, requestId: hugeString(HUGE_CHARS) }, "mapped"],
      // Regression: encodeURIComponent threw URIError on lone surrogates in endpoint or tool names.
      ["lone surrogate in the endpoint name", { ...good, agent: { endpoint: "agent\ud800" } }, "mapped"],
      [
        "lone surrogate in a tool name",
        { ...good, toolCalls: [{ id: "t", name: "\udfffsearch", arguments: "{}" }] },
        "mapped",
      ],
    ];
    it.each(cases)("%s", (name, value, expected) => {
      let outcome: "mapped" | "PoisonError";
      try {
        const out = transform.transform(createMessage("msg-1", value as AgentExecution), ctx) as unknown as {
          value: AktoRecord;
        }[];
        for (const m of out) expectValidRecord(m.value);
        outcome = "mapped";
      } catch (error) {
        if (!(error instanceof PoisonError)) throw error;
        outcome = "PoisonError";
      }
      tally.add(`akto mapping: ${name}`, outcome);
      expect(outcome).toBe(expected);
    });
  });
});

afterAll(() => {
  console.log(tally.table("Akto mapping (aktoMappingTransform / mapExecutionToAktoRecords) under bad input"));
});
