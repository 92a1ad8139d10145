import type { AgentExecution, ToolCall } from "@pipekit/agent-execution";
import { checkAktoBatchBody, checkAktoRecord, formatViolations } from "@pipekit/testkit-akto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mapExecutionToAktoRecords } from "../src/mapping/index.js";
import { jsonBytes, truncateToChars, truncateToJsonBytes } from "../src/mapping/truncate.js";

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Any text, including unpaired surrogates, control characters and quotes. */
const anyText = fc.string({ unit: "binary", maxLength: 80 });
/** Text as names usually look, plus odd characters, so hosts exercise both paths. */
const name = fc.oneof(anyText, fc.stringMatching(/^[A-Za-z0-9_.-]{1,90}$/));
const workspace = fc.oneof(
  fc.domain(),
  fc.ipV4(),
  anyText,
  fc.webUrl({ withQueryParameters: true }),
  fc.constant("https://adb-1.2.azuredatabricks.net:443/"),
);
/** Epoch ms that Akto's 32-bit seconds can hold. */
const epochMs = fc.integer({ min: 0, max: 2_147_483_647_999 });

const toolCall: fc.Arbitrary<ToolCall> = fc.record(
  {
    id: anyText,
    name,
    arguments: anyText,
    result: anyText,
    startTime: fc.oneof(epochMs, fc.double()),
    durationMs: fc.nat(),
    error: anyText,
  },
  { requiredKeys: ["id", "name", "arguments"] },
);

const execution: fc.Arbitrary<AgentExecution> = fc.record({
  platform: fc.constant("databricks"),
  workspace,
  agent: fc.record(
    { endpoint: name, model: name, modelVersion: fc.nat().map(String), task: anyText },
    { requiredKeys: ["endpoint"] },
  ),
  requestId: anyText,
  clientRequestId: fc.option(anyText, { nil: undefined }),
  table: anyText,
  startTime: epochMs,
  statusCode: fc.integer({ min: 100, max: 599 }),
  status: fc.constantFrom("ok", "error"),
  payloadFormat: fc.constantFrom("chat-agent", "responses-agent", "chat-completions", "legacy", "trace"),
  input: fc.constant([]),
  output: fc.constant([]),
  toolCalls: fc.array(toolCall, { maxLength: 4 }),
  error: fc.option(anyText, { nil: undefined }),
  rawRequest: fc.oneof(anyText, fc.json()),
  rawResponse: fc.oneof(anyText, fc.json()),
  attributes: fc.constant({}),
});

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

describe("property: any AgentExecution maps to contract-valid records", () => {
  it("has zero contract violations, DNS-valid hosts and one record per tool call", () => {
    fc.assert(
      fc.property(execution, fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }), (exec, tagExtras) => {
        const records = mapExecutionToAktoRecords(exec, { tagExtras });
        expect(records).toHaveLength(1 + exec.toolCalls.length);
        for (const record of records) {
          const violations = checkAktoRecord(record);
          expect(violations, formatViolations(violations)).toEqual([]);
          const host = (JSON.parse(record.requestHeaders) as { host: string }).host;
          expect(host.length).toBeLessThanOrEqual(253);
          expect(host).toMatch(/[a-z]/);
          for (const label of host.split(".")) expect(label).toMatch(DNS_LABEL);
        }
        expect(checkAktoBatchBody({ batchData: records })).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe("property: truncation helpers", () => {
  it("truncateToJsonBytes fits the budget and keeps a prefix, nearly as long as possible", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 300 }),
        fc.integer({ min: 40, max: 400 }),
        (text, max) => {
          const { text: cut, removed } = truncateToJsonBytes(text, max);
          expect(jsonBytes(cut)).toBeLessThanOrEqual(max);
          if (removed === 0) {
            expect(cut).toBe(text);
            return;
          }
          const kept = text.length - removed;
          expect(cut.startsWith(text.slice(0, kept))).toBe(true);
          expect(cut.endsWith(`…[TRUNCATED ${removed} chars]`)).toBe(true);
          // One more character (a whole pair at most) would not fit, allowing the marker bound's digit slack.
          const next = text.slice(0, kept + 2);
          expect(jsonBytes(`${next}…[TRUNCATED ${text.length - next.length} chars]`)).toBeGreaterThan(
            max - 6,
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it("truncateToChars fits the limit exactly or one below (marker digits), never splitting a pair", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 300 }),
        fc.integer({ min: 30, max: 300 }),
        (text, max) => {
          const { text: cut, removed } = truncateToChars(text, max);
          expect(cut.length).toBeLessThanOrEqual(max);
          if (removed > 0) {
            expect(cut.length).toBeGreaterThanOrEqual(max - 2);
            expect(cut).not.toMatch(LONE_SURROGATE);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
