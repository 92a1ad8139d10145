/**
 * Bad rows through the real core Pipeline: normalise (normaliseRow) → redact → akto_mapping →
 * memory sink, with a memory dead-letter sink. Good rows must all arrive, each bad row must be
 * dead-lettered exactly once with a reason, at the stage that owns its defect, naming its request
 * id, and delivered + dead-lettered = input. Only the documented error types may appear.
 */
import type { AgentExecution } from "@pipekit/agent-execution";
import {
  createMessage,
  deriveMessage,
  type Message,
  Pipeline,
  type Source,
  type SourceChunk,
  type Transform,
} from "@pipekit/core";
import type { DeadLetterRecord } from "@pipekit/core/advanced";
import { MemorySink } from "@pipekit/core/builtins";
import { redactTransform } from "@pipekit/redact";
import { type AktoRecord, aktoMappingTransform } from "@pipekit/sink-akto/mapping";
import { normaliseRow } from "@pipekit/source-databricks";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  badRow,
  DEFECT_STAGE,
  FuzzTally,
  goodRow,
  HUGE_CHARS,
  hugeString,
  type LabelledRow,
  nastyString,
  nastyValue,
} from "./fuzz-support.js";

const tally = new FuzzTally();
const AGENT = { endpoint: "fuzz-agent", task: "agent/v1/chat" };
/** Errors the components document; anything else reaching the dead-letter path is a crash. */
const DOCUMENTED_ERRORS = new Set(["RowParseError", "PoisonError"]);

/** Raw rows as messages, in chunks, like a table read; ids as the Databricks source gives them. */
function rowSource(rows: readonly { row: unknown; id: string; kind: "ai-gateway" | "legacy" }[]): Source {
  return {
    type: "fuzz-rows",
    async *read(): AsyncIterable<SourceChunk> {
      for (let i = 0; i < rows.length; i += 7) {
        yield {
          messages: rows
            .slice(i, i + 7)
            .map((r) => createMessage(r.id, r.row, { partition: "fuzz", tableKind: r.kind }, 1024)),
        };
      }
    },
  };
}

/** normaliseRow as a stage: a RowParseError dead-letters the row, as the source does. */
const normalise: Transform<unknown, AgentExecution> = {
  type: "normalise",
  transform(message: Message) {
    const kind = message.meta.tableKind as "ai-gateway" | "legacy";
    const execution = normaliseRow(message.value as Record<string, unknown>, kind, AGENT, {
      workspace: "fuzz.cloud.databricks.com",
      table: "workspace.default.fuzz_payload",
    });
    return deriveMessage(message, execution);
  },
};

interface RunResult {
  delivered: Message<AktoRecord>[];
  deadLetters: DeadLetterRecord[];
  received: number;
}

async function runChain(
  rows: readonly { row: unknown; id: string; kind: "ai-gateway" | "legacy" }[],
): Promise<RunResult> {
  const sink = new MemorySink<AktoRecord>();
  const deadLetters = new MemorySink<DeadLetterRecord>();
  const pipeline = new Pipeline({
    id: "fuzz",
    source: rowSource(rows),
    transforms: [
      { id: "normalise", transform: normalise },
      { id: "redact", transform: redactTransform() },
      { id: "akto_mapping", transform: aktoMappingTransform() },
    ],
    sinks: [{ id: "memory", sink, batch: { maxCount: 50, lingerMs: 0 } }],
    deadLetter: deadLetters,
  });
  try {
    await pipeline.open();
    const report = await pipeline.runCycle();
    expect(report.deadLettered).toBe(deadLetters.messages.length);
    return { delivered: sink.messages, deadLetters: deadLetters.values, received: report.received };
  } finally {
    await pipeline.close();
  }
}

/** Unique ids per generated mix (the engine tracks messages by identity, the test by id). */
let serial = 0;
const nextId = () => `req-${++serial}`;
const labelledMix: fc.Arbitrary<LabelledRow[]> = fc
  .array(fc.boolean(), { minLength: 1, maxLength: 25 })
  .chain((flags) => fc.tuple(...flags.map((bad) => (bad ? badRow(nextId()) : goodRow(nextId())))));

/** The message id is the row's request id (or, when the row lacks one, the id the source made up). */
function asInput(r: LabelledRow) {
  return { row: r.row, id: r.id, kind: r.kind };
}

/**
 * A random row made unique: a string or number request id keeps its hostile text behind a unique
 * prefix and is the message id (as in the source); a row without a usable one gets a fresh id.
 */
function uniqueRow(row: Record<string, unknown>, kind: "ai-gateway" | "legacy") {
  const raw = row.databricks_request_id;
  if (typeof raw === "string" || typeof raw === "number" || typeof raw === "bigint") {
    const id = `${nextId()}:${String(raw)}`;
    return { row: { ...row, databricks_request_id: id }, id, kind };
  }
  return { row, id: nextId(), kind };
}

function checkDeadLetter(dl: DeadLetterRecord): void {
  expect(dl.error.message.length, `dead letter ${dl.message.id} has no reason`).toBeGreaterThan(0);
  expect(DOCUMENTED_ERRORS, `${dl.component}: ${dl.error.name}: ${dl.error.message.slice(0, 200)}`).toContain(
    dl.error.name,
  );
  // The row parser's reasons name the request id themselves (when the row has one); the record
  // always carries the message id.
  if (dl.component === "normalise" && !dl.error.message.includes("databricks_request_id is missing")) {
    expect(dl.error.message).toContain(dl.message.id);
  }
}

describe("bad rows through the core Pipeline (normalise → redact → akto_mapping)", () => {
  it("a mix of good and bad rows: good all arrive, bad all dead-lettered at their stage, sum = input", async () => {
    await fc.assert(
      fc.asyncProperty(labelledMix, async (mix) => {
        const inputs = mix.map(asInput);
        const { delivered, deadLetters, received } = await runChain(inputs);
        expect(received).toBe(inputs.length);

        const deliveredIds = new Set(
          delivered.filter((m) => m.meta.aktoRecordKind === "agent").map((m) => m.id),
        );
        const deadById = new Map<string, DeadLetterRecord[]>();
        for (const dl of deadLetters) {
          checkDeadLetter(dl);
          deadById.set(dl.message.id, [...(deadById.get(dl.message.id) ?? []), dl]);
        }
        mix.forEach((r, i) => {
          const id = inputs[i]!.id;
          if (r.defect === undefined) {
            expect(deliveredIds.has(id), `good row ${id} did not arrive`).toBe(true);
            expect(deadById.has(id), `good row ${id} was dead-lettered`).toBe(false);
            tally.add("pipeline: good rows", "delivered");
          } else {
            const dead = deadById.get(id) ?? [];
            expect(dead.length, `bad row ${id} (${r.defect}) dead-lettered ${dead.length} times`).toBe(1);
            expect(dead[0]!.component, `${r.defect}: ${dead[0]!.error.message.slice(0, 200)}`).toBe(
              DEFECT_STAGE[r.defect],
            );
            expect(deliveredIds.has(id)).toBe(false);
            tally.add(`pipeline: bad rows (${r.defect})`, `dead-lettered at ${dead[0]!.component}`);
          }
        });
        expect(deliveredIds.size + deadLetters.length).toBe(inputs.length);
      }),
      { numRuns: 40 },
    );
  });

  it("fully random rows: every row delivered or dead-lettered once with a documented reason", async () => {
    const row = fc.dictionary(
      fc.constantFrom(
        "databricks_request_id",
        "request_time",
        "timestamp_ms",
        "status_code",
        "request",
        "response",
        "extra",
        "request_metadata",
      ),
      fc.oneof(nastyValue, nastyString),
      { maxKeys: 8 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(row, fc.constantFrom("ai-gateway", "legacy" as const)), {
          minLength: 1,
          maxLength: 20,
        }),
        async (rows) => {
          const inputs = rows.map(([r, kind]) => uniqueRow(r, kind));
          const { delivered, deadLetters, received } = await runChain(inputs);
          expect(received).toBe(inputs.length);
          for (const dl of deadLetters) checkDeadLetter(dl);
          const deadIds = new Set(deadLetters.map((d) => d.message.id));
          expect(deadIds.size).toBe(deadLetters.length);
          for (const input of inputs) {
            tally.add("pipeline: fully random rows", deadIds.has(input.id) ? "dead-lettered" : "delivered");
          }
          // Agent records are named by the execution's request id (not the row's message id), so
          // the rows that arrived are counted: one agent record per execution.
          expect(delivered.filter((m) => m.meta.aktoRecordKind === "agent").length + deadLetters.length).toBe(
            inputs.length,
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it("10 MB prompts and deep nesting in one run: big rows arrive truncated, deep ones dead-lettered", async () => {
    const huge = JSON.stringify({ messages: [{ role: "user", content: hugeString(HUGE_CHARS) }] });
    const base = { request_time: "2025-01-01T10:00:00Z", status_code: 200, response: '{"choices": []}' };
    const inputs = [
      {
        id: "req-huge",
        kind: "ai-gateway" as const,
        row: { ...base, databricks_request_id: "req-huge", request: huge },
      },
      {
        id: "req-deep",
        kind: "ai-gateway" as const,
        row: {
          ...base,
          databricks_request_id: "req-deep",
          request: `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`,
        },
      },
      {
        id: "req-ok",
        kind: "ai-gateway" as const,
        row: { ...base, databricks_request_id: "req-ok", request: '{"messages": []}' },
      },
    ];
    const { delivered, deadLetters } = await runChain(inputs);
    expect(delivered.map((m) => m.id).sort()).toEqual(["req-huge", "req-ok"]);
    const big = delivered.find((m) => m.id === "req-huge")!;
    expect(big.meta.truncated).toEqual(["requestPayload"]);
    expect(big.value.requestPayload).not.toContain("jane.doe@example.com");
    expect(deadLetters.map((d) => [d.message.id, d.component])).toEqual([["req-deep", "redact"]]);
    expect(deadLetters[0]!.error.message).toMatch(/nested deeper than/);
    tally.add("pipeline: 10 MB prompt", "delivered (truncated)");
    tally.add("pipeline: 10,000-level request", "dead-lettered at redact");
  });
});

afterAll(() => {
  console.log(tally.table("Bad rows through the core Pipeline (normalise → redact → akto_mapping)"));
});
