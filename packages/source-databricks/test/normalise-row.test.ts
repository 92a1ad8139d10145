import { AgentExecutionSchema } from "@pipekit/agent-execution";
import { describe, expect, it } from "vitest";
import { normaliseRow, RowParseError } from "../src/index.js";

const agent = {
  endpoint: "support-agent",
  model: "main.agents.support",
  modelVersion: "3",
  task: "agent/v2/chat",
};
const origin = { workspace: "adb-1.azuredatabricks.net", table: "workspace.default.support_payload" };

function gatewayRow(request: unknown, response: unknown, extra: Record<string, unknown> = {}) {
  return {
    databricks_request_id: "req-1",
    client_request_id: "client-1",
    request_time: "2026-03-01 10:00:00.250000",
    status_code: 200,
    execution_duration_ms: 1234,
    request: typeof request === "string" ? request : JSON.stringify(request),
    response: typeof response === "string" ? response : JSON.stringify(response),
    logging_error_codes: [],
    served_entity_id: "se-1",
    requester: "alice@example.com",
    ...extra,
  };
}

describe("normaliseRow", () => {
  it("reads a ChatAgent exchange with tool calls paired to their results", () => {
    const row = gatewayRow(
      { messages: [{ role: "user", content: "Where is order 42?" }], context: { conversation_id: "c-9" } },
      {
        messages: [
          {
            role: "assistant",
            content: "",
            tool_calls: [
              { id: "call_1", type: "function", function: { name: "lookup_order", arguments: '{"id":42}' } },
            ],
          },
          { role: "tool", content: '{"status":"shipped"}', tool_call_id: "call_1" },
          { role: "assistant", content: "Order 42 has shipped." },
        ],
      },
    );
    const e = normaliseRow(row, "ai-gateway", agent, origin);
    expect(AgentExecutionSchema.parse(e)).toEqual(e);
    expect(e).toMatchObject({
      platform: "databricks",
      workspace: "adb-1.azuredatabricks.net",
      requestId: "req-1",
      clientRequestId: "client-1",
      table: "workspace.default.support_payload",
      startTime: Date.UTC(2026, 2, 1, 10, 0, 0, 250),
      durationMs: 1234,
      statusCode: 200,
      status: "ok",
      payloadFormat: "chat-agent",
      requester: "alice@example.com",
      agent,
    });
    expect(e.input).toEqual([{ role: "user", content: "Where is order 42?" }]);
    expect(e.output.at(-1)).toEqual({ role: "assistant", content: "Order 42 has shipped." });
    expect(e.toolCalls).toEqual([
      { id: "call_1", name: "lookup_order", arguments: '{"id":42}', result: '{"status":"shipped"}' },
    ]);
    expect(e.attributes).toMatchObject({
      tableKind: "ai-gateway",
      servedEntityId: "se-1",
      conversationId: "c-9",
    });
    expect(e.error).toBeUndefined();
  });

  it("reads a ResponsesAgent exchange: function_call matched to function_call_output, usage", () => {
    const row = gatewayRow(
      { input: [{ role: "user", content: "weather in Paris?" }] },
      {
        output: [
          { type: "function_call", call_id: "fc_1", name: "get_weather", arguments: '{"city":"Paris"}' },
          { type: "function_call_output", call_id: "fc_1", output: "18C, cloudy" },
          { type: "message", role: "assistant", content: [{ type: "output_text", text: "It is 18C." }] },
        ],
        usage: { input_tokens: 10, output_tokens: 5, total_tokens: 15 },
      },
    );
    const e = normaliseRow(row, "ai-gateway", { endpoint: "weather", task: "agent/v1/responses" }, origin);
    expect(e.payloadFormat).toBe("responses-agent");
    expect(e.input).toEqual([{ role: "user", content: "weather in Paris?" }]);
    expect(e.output).toEqual([
      { role: "tool", content: "18C, cloudy", toolCallId: "fc_1" },
      { role: "assistant", content: "It is 18C." },
    ]);
    expect(e.toolCalls).toEqual([
      { id: "fc_1", name: "get_weather", arguments: '{"city":"Paris"}', result: "18C, cloudy" },
    ]);
    expect(e.usage).toEqual({ promptTokens: 10, completionTokens: 5, totalTokens: 15 });
  });

  it("reads OpenAI chat completions with usage and a pending tool call", () => {
    const row = gatewayRow(
      {
        messages: [
          { role: "system", content: "be brief" },
          { role: "user", content: [{ type: "text", text: "hi" }] },
        ],
      },
      {
        choices: [
          {
            message: {
              role: "assistant",
              content: null,
              tool_calls: [{ id: "c1", type: "function", function: { name: "search", arguments: "{}" } }],
            },
          },
        ],
        usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
      },
    );
    const e = normaliseRow(row, "ai-gateway", { endpoint: "llm" }, origin);
    expect(e.payloadFormat).toBe("chat-completions");
    expect(e.input).toEqual([
      { role: "system", content: "be brief" },
      { role: "user", content: "hi" },
    ]);
    expect(e.toolCalls).toEqual([{ id: "c1", name: "search", arguments: "{}" }]);
    expect(e.usage).toEqual({ promptTokens: 7, completionTokens: 3, totalTokens: 10 });
  });

  it("takes tool timing and failures from databricks_output.trace TOOL spans, and model calls from CHAT_MODEL spans, on the execution's clock", () => {
    const ns = (ms: number) => String(BigInt(ms) * 1_000_000n);
    const spans = [
      {
        name: "agent",
        span_id: "s0",
        parent_span_id: null,
        start_time_unix_nano: ns(1000),
        end_time_unix_nano: ns(5000),
        attributes: { "mlflow.spanType": '"AGENT"' },
        status: { code: "STATUS_CODE_OK" },
      },
      {
        name: "lookup_order",
        span_id: "s1",
        parent_span_id: "s0",
        start_time_unix_nano: ns(1500),
        end_time_unix_nano: ns(1750),
        attributes: {
          "mlflow.spanType": '"TOOL"',
          "mlflow.spanInputs": '{"id": 42}',
          "mlflow.spanOutputs": '"shipped"',
        },
        status: { code: "STATUS_CODE_OK" },
      },
      {
        name: "refund",
        span_id: "s2",
        parent_span_id: "s0",
        start_time_unix_nano: ns(2000),
        end_time_unix_nano: ns(2100),
        attributes: { "mlflow.spanType": '"TOOL"', "mlflow.spanInputs": '{"id": 42}' },
        status: { code: "STATUS_CODE_ERROR", message: "refund service down" },
      },
      {
        name: "llm",
        span_id: "s3",
        parent_span_id: "s0",
        start_time_unix_nano: ns(2200),
        end_time_unix_nano: ns(4000),
        attributes: {
          "mlflow.spanType": '"CHAT_MODEL"',
          "mlflow.chat.tokenUsage": '{"input_tokens": 20, "output_tokens": 4}',
        },
      },
    ];
    const row = gatewayRow(
      { messages: [{ role: "user", content: "refund 42" }] },
      {
        messages: [
          {
            role: "assistant",
            content: "",
            tool_calls: [
              { id: "call_a", type: "function", function: { name: "lookup_order", arguments: '{"id":42}' } },
            ],
          },
          { role: "tool", content: "shipped", tool_call_id: "call_a" },
          { role: "assistant", content: "Sorry, refunds are down." },
        ],
        databricks_output: { trace: { info: { trace_id: "tr-1" }, data: { spans } } },
      },
    );
    const e = normaliseRow(row, "ai-gateway", agent, origin);
    const requestTime = Date.UTC(2026, 2, 1, 10, 0, 0, 250);
    expect(e.startTime).toBe(requestTime);
    expect(e.toolCalls).toEqual([
      {
        id: "call_a",
        name: "lookup_order",
        arguments: '{"id":42}',
        result: "shipped",
        // The span clock says 1970; the row says 2026-03-01 10:00:00.250. A span keeps its offset
        // from the root span (500 ms) and is placed from the execution's start.
        startTime: requestTime + 500,
        durationMs: 250,
      },
      {
        id: "s2",
        name: "refund",
        arguments: '{"id":42}',
        startTime: requestTime + 1000,
        durationMs: 100,
        error: "refund service down",
      },
      {
        // The model call is a call the agent made too; its end is clamped to the execution's end.
        id: "s3",
        name: "llm",
        arguments: "",
        startTime: requestTime + 1200,
        durationMs: 34,
      },
    ]);
    expect(e.usage).toEqual({ promptTokens: 20, completionTokens: 4, totalTokens: 24 });
    expect(e.attributes.traceId).toBe("tr-1");
  });

  it("marks failed invocations as errors with the error body's message, even when it is not JSON", () => {
    const json = normaliseRow(
      gatewayRow(
        { messages: [] },
        { error_code: "BAD_REQUEST", message: "tool schema invalid" },
        { status_code: 400 },
      ),
      "ai-gateway",
      agent,
      origin,
    );
    expect(json).toMatchObject({
      status: "error",
      statusCode: 400,
      error: "BAD_REQUEST: tool schema invalid",
    });
    const text = normaliseRow(
      gatewayRow({ messages: [] }, "upstream request timeout", { status_code: 504 }),
      "ai-gateway",
      agent,
      origin,
    );
    expect(text).toMatchObject({ status: "error", statusCode: 504, error: "upstream request timeout" });
  });

  it("reports logging_error_codes (payload not fully logged) without failing the row", () => {
    const e = normaliseRow(
      gatewayRow({ messages: [{ role: "user", content: "x" }] }, "", {
        logging_error_codes: '["MAX_RESPONSE_SIZE_EXCEEDED"]',
      }),
      "ai-gateway",
      agent,
      origin,
    );
    expect(e.status).toBe("ok");
    expect(e.output).toEqual([]);
    expect(e.error).toBe("payload not fully logged: MAX_RESPONSE_SIZE_EXCEEDED");
    expect(e.attributes.loggingErrorCodes).toBe("MAX_RESPONSE_SIZE_EXCEEDED");
  });

  it("reads legacy auto-capture rows, taking the agent from request_metadata", () => {
    const e = normaliseRow(
      {
        databricks_request_id: "legacy-1",
        client_request_id: null,
        timestamp_ms: 1_767_225_600_000,
        status_code: 200,
        execution_time_ms: 88,
        request: JSON.stringify({ dataframe_records: [{ question: "q" }] }),
        response: JSON.stringify({ predictions: ["a"] }),
        request_metadata: { endpoint_name: "classic", model_name: "main.m.classic", model_version: "7" },
      },
      "legacy",
      { endpoint: "fallback" },
      origin,
    );
    expect(e).toMatchObject({
      requestId: "legacy-1",
      startTime: 1_767_225_600_000,
      durationMs: 88,
      payloadFormat: "legacy",
      agent: { endpoint: "classic", model: "main.m.classic", modelVersion: "7" },
      input: [{ role: "user", content: '[{"question":"q"}]' }],
      output: [{ role: "assistant", content: '["a"]' }],
    });
  });

  it("builds one execution from a trace table's spans", () => {
    const e = normaliseRow(
      {
        trace_id: "t-1",
        spans: [
          {
            trace_id: "t-1",
            span_id: "root",
            parent_span_id: null,
            name: "agent",
            start_time_unix_nano: 2_000_000_000,
            end_time_unix_nano: 2_500_000_000,
            attributes: JSON.stringify({
              "mlflow.spanInputs": JSON.stringify({ messages: [{ role: "user", content: "hello" }] }),
              "mlflow.spanOutputs": JSON.stringify({ messages: [{ role: "assistant", content: "hi!" }] }),
            }),
            status: JSON.stringify({ code: "OK", message: "" }),
          },
          {
            trace_id: "t-1",
            span_id: "tool",
            parent_span_id: "root",
            name: "search",
            start_time_unix_nano: 2_100_000_000,
            end_time_unix_nano: 2_200_000_000,
            attributes: JSON.stringify({ "mlflow.spanType": '"TOOL"', "mlflow.spanInputs": '{"q":"x"}' }),
            status: JSON.stringify({ code: "OK" }),
          },
        ],
      },
      "trace",
      { endpoint: "mlflow_traces" },
      origin,
    );
    expect(e).toMatchObject({
      requestId: "t-1",
      startTime: 2000,
      durationMs: 500,
      status: "ok",
      payloadFormat: "trace",
      input: [{ role: "user", content: "hello" }],
      output: [{ role: "assistant", content: "hi!" }],
      toolCalls: [{ id: "tool", name: "search", arguments: '{"q":"x"}', startTime: 2100, durationMs: 100 }],
    });
  });

  it("rejects unusable rows with the reason and the request id", () => {
    const bad = () => normaliseRow(gatewayRow('{"messages": [', "{}"), "ai-gateway", agent, origin);
    expect(bad).toThrow(RowParseError);
    try {
      bad();
    } catch (error) {
      expect((error as RowParseError).requestId).toBe("req-1");
      expect((error as RowParseError).reason).toMatch(/^request is not valid JSON/);
    }
    expect(() =>
      normaliseRow(gatewayRow("{}", "{}", { request_time: "yesterday-ish" }), "ai-gateway", agent, origin),
    ).toThrow(/request_time is not a timestamp/);
    expect(() =>
      normaliseRow(gatewayRow("{}", "{}", { databricks_request_id: null }), "ai-gateway", agent, origin),
    ).toThrow(/databricks_request_id is missing/);
  });
});
