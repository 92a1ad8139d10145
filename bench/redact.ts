/**
 * Redaction throughput on ChatAgent-like AgentExecution payloads of ~1 KB, ~16 KB and ~1 MB
 * (messages, tool calls whose arguments/results are JSON strings, raw request/response bodies as
 * JSON strings, some PII and secrets), beside a JSON parse + stringify round trip of the same
 * payloads measured in the same run (CPU time of this process, after a warm-up): { redactMBps1k, redactMBps16k, redactMBps1m,
 * jsonRoundTripMBps16k, redactVsJsonRoundTrip }. MB = 10^6 bytes of the payload's JSON text.
 * Redaction gets the parsed object (what the pipeline hands a transform); the round trip gets the
 * JSON text (parse it, stringify it back).
 */
import { createRedactor } from "@pipekit/redact";

const SENTENCES = [
  "Thanks for reaching out about your order, I have looked into the shipment history.",
  "The invoice from 2024-03-18 shows two line items and a discount of 15% applied at checkout.",
  "According to the runbook, version 2.14.3 of the service fixes the retry storm seen on Tuesday.",
  "Please restart the worker after 10:45 UTC and confirm the queue depth drops below 1,200 messages.",
  "Your ticket TCK-48213 was escalated to the platform team; expect an update within 24 hours.",
  "The dashboard at https://status.example.com/incidents/4821 lists the affected regions.",
  "I could not find a refund for order 7731-2290-18 in the last 90 days of transactions.",
  "Summarise the attached meeting notes in three bullet points for the weekly report.",
  "The model returned 3 candidate answers; the highest scoring one cited section 4.2 of the policy.",
  "Trace id 4bf92f3577b34da6a3ce929d0e0e4736 covers the slow request from the mobile client.",
];
const PII = [
  "You can email me at maria.gonzalez@contoso-mail.com if anything changes.",
  "My card is 4111 1111 1111 1111, expiry 09/27.",
  "Call me back on (415) 555-2671 after six.",
  "Wire it to DE89 3704 0044 0532 0130 00 please.",
  "The login request came from 203.0.113.42 again.",
  "Use header Authorization: Bearer 9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c for the retry.",
  "My SSN is 219-09-9998 if the form needs it.",
];

/** Deterministic pseudo-random numbers so every run measures the same payloads. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

function paragraph(random: () => number, sentences: number): string {
  const out: string[] = [];
  for (let i = 0; i < sentences; i++) {
    // About one sentence in twelve carries personal data.
    const pool = random() < 1 / 12 ? PII : SENTENCES;
    out.push(pool[Math.floor(random() * pool.length)]!);
  }
  return out.join(" ");
}

/** One AgentExecution-shaped value whose JSON text is close to `targetBytes`. */
export function agentPayload(targetBytes: number, seed = 1): unknown {
  const random = rng(seed);
  const turns: { role: string; content: string }[] = [];
  const toolCalls: { id: string; name: string; arguments: string; result: string }[] = [];
  const base = {
    platform: "databricks",
    workspace: "adb-1234567890123456.7.azuredatabricks.net",
    agent: {
      endpoint: "support-agent",
      model: "main.agents.support_agent",
      modelVersion: "7",
      task: "agent/v1/chat",
    },
    requestId: "8c7f3b2a-41d2-4e8b-9a6f-0d3c2b1a0f9e",
    table: "workspace.default.support_agent_payload",
    startTime: 1_718_000_000_000,
    durationMs: 2311,
    statusCode: 200,
    status: "ok",
    payloadFormat: "chat-agent",
    usage: { promptTokens: 812, completionTokens: 240, totalTokens: 1052 },
    attributes: { logging_error_codes: "[]" },
  };
  const build = () => {
    const request = { messages: turns, context: { conversation_id: "c-5512", user_id: "u-88213" } };
    const response = { messages: turns.filter((t) => t.role === "assistant"), finish_reason: "stop" };
    return {
      ...base,
      input: turns.filter((t) => t.role !== "assistant"),
      output: turns.filter((t) => t.role === "assistant"),
      toolCalls,
      rawRequest: JSON.stringify(request),
      rawResponse: JSON.stringify(response),
    };
  };
  let value = build();
  for (let i = 0; JSON.stringify(value).length < targetBytes; i++) {
    const role = i % 3 === 0 ? "user" : "assistant";
    turns.push({ role, content: paragraph(random, 1 + Math.floor(random() * 3)) });
    if (i % 4 === 3) {
      toolCalls.push({
        id: `call_${i}`,
        name: "lookup_customer",
        arguments: JSON.stringify({
          query: paragraph(random, 1),
          customer_email: "li.wei@example.net",
          limit: 5,
        }),
        result: JSON.stringify({
          rows: [{ id: 1000 + i, note: paragraph(random, 2), phone: "+44 20 7946 0018" }],
        }),
      });
    }
    value = build();
  }
  return value;
}

/** Process CPU time in ms: on a shared machine, wall time would also count other people's work. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** MB/s (per CPU second) of `fn` over `bytes`, timed over at least `minMs` of CPU. */
function measure(bytes: number, minMs: number, fn: () => void): number {
  let iterations = 0;
  const start = cpuMs();
  let elapsedMs = 0;
  while (elapsedMs < minMs) {
    fn();
    iterations++;
    elapsedMs = cpuMs() - start;
  }
  return (bytes * iterations) / 1e6 / (elapsedMs / 1000);
}

/** The JIT needs about a second of calls before redaction runs at its steady speed. */
function warmUp(ms: number, fn: () => void): void {
  const start = cpuMs();
  while (cpuMs() - start < ms) fn();
}

const round = (n: number) => Math.round(n * 100) / 100;

export async function run(): Promise<Record<string, number>> {
  const redactor = createRedactor({});
  const sizes = { "1k": 1024, "16k": 16 * 1024, "1m": 1024 * 1024 } as const;
  const figures: Record<string, number> = {};
  let redact16 = 0;
  let json16 = 0;
  for (const [label, target] of Object.entries(sizes)) {
    const value = agentPayload(target);
    const text = JSON.stringify(value);
    const bytes = Buffer.byteLength(text);
    const minMs = label === "1m" ? 1500 : 1000;
    warmUp(label === "1m" ? 1500 : 1000, () => redactor.redactValue(value));
    warmUp(300, () => JSON.stringify(JSON.parse(text)));
    // Interleave the two measurements so drift on a shared machine hits both alike.
    const redactRuns: number[] = [];
    const jsonRuns: number[] = [];
    for (let r = 0; r < 3; r++) {
      redactRuns.push(measure(bytes, minMs / 3, () => redactor.redactValue(value)));
      jsonRuns.push(measure(bytes, minMs / 3, () => JSON.stringify(JSON.parse(text))));
    }
    const redact = median(redactRuns);
    figures[`redactMBps${label}`] = round(redact);
    if (label === "16k") {
      redact16 = redact;
      json16 = median(jsonRuns);
    }
  }
  figures.jsonRoundTripMBps16k = round(json16);
  figures.redactVsJsonRoundTrip = round(redact16 / json16);
  return figures;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
