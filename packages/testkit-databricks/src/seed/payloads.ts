import {
  chatModelSpan,
  exceptionAttributes,
  type SpanContent,
  spanAttributes,
} from "../mlflow/span-content.js";
import type { Prng } from "./prng.js";
import { SENSITIVE_KINDS, type SensitiveValue, sensitiveValue } from "./sensitive-data.js";

export type AgentTask = "agent/v2/chat" | "agent/v1/responses" | "llm/v1/chat";

/** One recorded invocation body pair, reused by many rows (rows differ by id and time). */
export interface PayloadTemplate {
  request: string | null;
  response: string | null;
  statusCode: number;
  loggingErrorCodes: string[] | null;
  durationMs: number;
  requester: string;
  toolCalls: number;
  trace: boolean;
  sensitive: SensitiveValue[];
}

interface Tool {
  name: string;
  args: (prng: Prng) => Record<string, unknown>;
  result: (prng: Prng) => unknown;
}

const TOOLS: readonly Tool[] = [
  {
    name: "lookup_order",
    args: (p) => ({ order_id: `ORD-${p.int(10000, 99999)}` }),
    result: (p) => ({ status: p.pick(["shipped", "processing", "delivered"]), eta_days: p.int(1, 7) }),
  },
  {
    name: "search_knowledge_base",
    args: (p) => ({
      query: p.pick(["refund policy", "reset password", "shipping to Canada", "API rate limits"]),
    }),
    result: (p) => ({ hits: [{ doc_id: `kb-${p.int(100, 999)}`, score: Number(p.next().toFixed(3)) }] }),
  },
  {
    name: "get_weather",
    args: (p) => ({ city: p.pick(["Berlin", "San Francisco", "Tokyo", "Lagos"]) }),
    result: (p) => ({ temperature_c: p.int(-5, 35), conditions: p.pick(["sunny", "rain", "cloudy"]) }),
  },
  {
    name: "create_ticket",
    args: (p) => ({ priority: p.pick(["low", "high"]), summary: "Customer cannot log in" }),
    result: (p) => ({ ticket_id: `TCK-${p.int(1000, 9999)}`, created: true }),
  },
  {
    name: "execute_sql",
    args: (p) => ({
      statement: `SELECT count(*) FROM sales WHERE region = '${p.pick(["EMEA", "APAC", "AMER"])}'`,
    }),
    result: (p) => ({ rows: [[p.int(100, 5000)]] }),
  },
];

const QUESTIONS = [
  "Where is my order? It has been a week.",
  "Can you summarise our refund policy?",
  "What's the weather like for my trip next week?",
  "Please open a ticket, I cannot log in.",
  "How many sales did we make in EMEA last quarter?",
  "Draft a polite reply to the customer below.",
  "Explain the difference between a view and a table.",
];

const ANSWERS = [
  "Your order has shipped and should arrive within 3 days.",
  "Refunds are available within 30 days of purchase for unused items.",
  "Expect mild weather with a chance of rain.",
  "I have opened a ticket for you; our team will reach out shortly.",
  "There were 2,431 sales in EMEA last quarter.",
  "Here is a draft reply you can send.",
];

const REQUESTERS = ["alice@example.com", "svc-frontend@example.com", "bob@example.com", "4f7c0e1a-app-id"];

export interface TemplateOptions {
  task: AgentTask;
  endpoint: string;
  model: string;
}

/**
 * Builds a pool of realistic request/response pairs for one agent: mostly successful calls,
 * some with tool calls (and their results), some returning an MLflow trace, some failing (4xx/5xx),
 * and some carrying sensitive values in the prompt.
 */
export function buildTemplates(prng: Prng, options: TemplateOptions, count: number): PayloadTemplate[] {
  const out: PayloadTemplate[] = [];
  for (let i = 0; i < count; i++) out.push(buildTemplate(prng, options, i));
  return out;
}

function buildTemplate(prng: Prng, options: TemplateOptions, index: number): PayloadTemplate {
  const sensitive: SensitiveValue[] = [];
  let question = prng.pick(QUESTIONS);
  // About one prompt in four carries personal data or a secret.
  if (index % 4 === 1) {
    const value = sensitiveValue(prng, SENSITIVE_KINDS[(index >> 2) % SENSITIVE_KINDS.length] ?? "email");
    sensitive.push(value);
    question = `${question} My ${value.kind.replace(/_/g, " ")} is ${value.value}.`;
  }
  const toolCount = index % 3 === 0 ? prng.int(1, 3) : 0;
  const tools = Array.from({ length: toolCount }, () => {
    const tool = prng.pick(TOOLS);
    return { id: `call_${prng.hex(12)}`, name: tool.name, args: tool.args(prng), result: tool.result(prng) };
  });
  const answer = prng.pick(ANSWERS);
  const trace = options.task !== "llm/v1/chat" && index % 5 === 2;
  const failure = index % 13 === 7 ? prng.pick([400, 429, 500, 503]) : undefined;
  const durationMs = prng.int(150, 6000);
  const usage = { prompt_tokens: prng.int(20, 900), completion_tokens: prng.int(10, 400) };
  const requester = prng.pick(REQUESTERS);
  const conversation = { conversation_id: prng.uuid(), user_id: requester };

  let request: unknown;
  let response: unknown;
  switch (options.task) {
    case "agent/v2/chat":
      request = {
        messages: [{ role: "user", content: question }],
        context: conversation,
        ...(trace ? { databricks_options: { return_trace: true } } : {}),
      };
      response = {
        messages: [
          ...tools.flatMap((t) => [
            {
              role: "assistant",
              content: "",
              id: `msg_${prng.hex(8)}`,
              tool_calls: [
                { id: t.id, type: "function", function: { name: t.name, arguments: JSON.stringify(t.args) } },
              ],
            },
            {
              role: "tool",
              content: JSON.stringify(t.result),
              name: t.name,
              tool_call_id: t.id,
              id: `msg_${prng.hex(8)}`,
            },
          ]),
          { role: "assistant", content: answer, id: `msg_${prng.hex(8)}` },
        ],
        finish_reason: "stop",
        usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
      };
      break;
    case "agent/v1/responses":
      request = {
        input: [{ role: "user", content: question }],
        context: conversation,
        ...(trace ? { databricks_options: { return_trace: true } } : {}),
      };
      response = {
        object: "response",
        output: [
          ...tools.flatMap((t) => [
            {
              type: "function_call",
              id: `fc_${prng.hex(8)}`,
              call_id: t.id,
              name: t.name,
              arguments: JSON.stringify(t.args),
            },
            { type: "function_call_output", call_id: t.id, output: JSON.stringify(t.result) },
          ]),
          {
            type: "message",
            id: `msg_${prng.hex(8)}`,
            role: "assistant",
            status: "completed",
            content: [{ type: "output_text", text: answer }],
          },
        ],
        usage: {
          input_tokens: usage.prompt_tokens,
          output_tokens: usage.completion_tokens,
          total_tokens: usage.prompt_tokens + usage.completion_tokens,
        },
      };
      break;
    case "llm/v1/chat":
      request = {
        messages: [
          { role: "system", content: "You are a helpful assistant." },
          { role: "user", content: question },
        ],
        max_tokens: 512,
        temperature: 0.2,
        ...(tools.length > 0
          ? {
              tools: tools.map((t) => ({
                type: "function",
                function: { name: t.name, parameters: { type: "object" } },
              })),
            }
          : {}),
      };
      response = {
        id: `chatcmpl-${prng.hex(20)}`,
        object: "chat.completion",
        created: 1_767_225_600 + index,
        model: options.model,
        choices: [
          {
            index: 0,
            message:
              tools.length > 0
                ? {
                    role: "assistant",
                    content: null,
                    tool_calls: tools.map((t) => ({
                      id: t.id,
                      type: "function",
                      function: { name: t.name, arguments: JSON.stringify(t.args) },
                    })),
                  }
                : { role: "assistant", content: answer },
            finish_reason: tools.length > 0 ? "tool_calls" : "stop",
          },
        ],
        usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
      };
      break;
  }

  if (trace && typeof response === "object" && response !== null) {
    Object.assign(response, {
      databricks_output: {
        trace: traceFor(prng, options, question, answer, tools, durationMs, index % 4 === 2),
      },
    });
  }

  if (failure !== undefined) {
    response = failureBody(failure);
  }

  return {
    request: JSON.stringify(request),
    response: JSON.stringify(response),
    statusCode: failure ?? 200,
    loggingErrorCodes: null,
    durationMs,
    requester,
    // An embedded trace adds its CHAT_MODEL span (the model call) to the tool calls of the messages.
    toolCalls: failure === undefined ? tools.length + (trace ? 1 : 0) : 0,
    trace: failure === undefined && trace,
    sensitive,
  };
}

function failureBody(status: number): unknown {
  switch (status) {
    case 400:
      return { error_code: "BAD_REQUEST", message: "Invalid request: 'messages' must not be empty." };
    case 429:
      return {
        error_code: "REQUEST_LIMIT_EXCEEDED",
        message: "Exceeded workspace rate limit for the endpoint.",
      };
    case 503:
      return { error_code: "TEMPORARILY_UNAVAILABLE", message: "The endpoint is scaling up. Retry later." };
    default:
      return { error_code: "INTERNAL_ERROR", message: "Model server raised an exception: tool timeout." };
  }
}

/**
 * A row's trace times are not known when its template is built (many rows share one template), so
 * the template holds markers the seeding SQL replaces per row: `§T+<ns>§` → the row's request time
 * plus <ns> nanoseconds (a decimal string, as MLflow writes `start_time_unix_nano`), `§ISO§` → the
 * request time as ISO 8601. See TRACE_TIME_SQL.
 */
export const TRACE_MARK = "§";
const at = (offsetMs: number) => `${TRACE_MARK}T+${offsetMs * 1_000_000}${TRACE_MARK}`;

function traceFor(
  prng: Prng,
  options: TemplateOptions,
  question: string,
  answer: string,
  tools: { id: string; name: string; args: Record<string, unknown>; result: unknown }[],
  durationMs: number,
  failedTool: boolean,
): unknown {
  const traceId = `tr-${prng.hex(32)}`;
  const rootSpan = prng.hex(16);
  // Every child span lies inside the root span, which lasts the row's execution_duration_ms.
  const slot = Math.max(2, Math.floor(durationMs / (tools.length + 2)));
  const span = (content: SpanContent, startMs: number, lengthMs: number) => ({
    trace_id: traceId,
    span_id: prng.hex(16),
    parent_span_id: content.parent,
    name: content.name,
    start_time_unix_nano: at(startMs),
    end_time_unix_nano: at(startMs + lengthMs),
    status: { code: "STATUS_CODE_OK", message: "" },
    attributes: spanAttributes(content),
    events: [] as unknown[],
  });
  const root = {
    ...span(
      { name: options.endpoint, type: "AGENT", parent: "", inputs: { question }, outputs: { answer } },
      0,
      durationMs,
    ),
    span_id: rootSpan,
  };
  const llm = span(chatModelSpan("chat_model", rootSpan, question, answer), 1, Math.max(1, slot - 1));
  const toolSpans = tools.map((t, i) =>
    span(
      { name: t.name, type: "TOOL", parent: rootSpan, inputs: t.args, outputs: t.result },
      slot * (i + 1),
      prng.int(1, Math.max(1, slot - 1)),
    ),
  );
  const first = toolSpans[0];
  if (failedTool && first) {
    // MLflow records a failure as an ERROR status plus an `exception` event (OTel semantic names).
    first.status = { code: "STATUS_CODE_ERROR", message: "TimeoutError: tool did not answer in 5s" };
    first.events.push({
      name: "exception",
      time_unix_nano: first.end_time_unix_nano,
      attributes: exceptionAttributes("TimeoutError", "tool did not answer in 5s"),
    });
  }
  return {
    info: {
      trace_id: traceId,
      client_request_id: null,
      request_time: `${TRACE_MARK}ISO${TRACE_MARK}`,
      execution_duration_ms: durationMs,
      state: "OK",
      trace_metadata: {
        "mlflow.trace_schema.version": "3",
        "mlflow.databricks.modelServingEndpointName": options.endpoint,
        "mlflow.trace.tokenUsage": JSON.stringify({ input_tokens: 0, output_tokens: 0, total_tokens: 0 }),
      },
      tags: { "mlflow.traceName": options.endpoint },
    },
    data: { spans: [root, llm, ...toolSpans] },
  };
}

/**
 * DuckDB expression giving a row's response with its trace markers replaced (`ts` is the row's
 * request time in epoch ms, `text` the template's response).
 */
export function traceTimeSql(text: string, ts: string): string {
  const m = TRACE_MARK;
  return `CASE WHEN strpos(${text}, '${m}') > 0 THEN array_to_string(list_transform(string_split(${text}, '${m}'),
    (x, i) -> CASE WHEN i % 2 = 1 THEN x
                   WHEN x = 'ISO' THEN strftime(epoch_ms(${ts}), '%Y-%m-%dT%H:%M:%S.%gZ')
                   ELSE CAST(CAST(${ts} AS BIGINT) * 1000000 + CAST(substr(x, 3) AS BIGINT) AS VARCHAR) END), '')
    ELSE ${text} END`;
}

/** A request body that is not valid JSON (truncated), as payload logging sometimes records. */
export function malformedRequest(): string {
  return '{"messages": [{"role": "user", "content": "Where is my order';
}

/** A request body over 1 MB: a user pasting a large document into the prompt. */
export function oversizedRequest(task: AgentTask): string {
  const document = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(20_000);
  const message = { role: "user", content: `Please summarise this document:\n${document}` };
  const body = task === "agent/v1/responses" ? { input: [message] } : { messages: [message] };
  return JSON.stringify(body);
}
