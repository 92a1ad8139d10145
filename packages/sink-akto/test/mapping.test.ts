import type { AgentExecution } from "@pipekit/agent-execution";
import {
  type ComponentContext,
  ComponentRegistry,
  ConfigError,
  createMessage,
  PoisonError,
} from "@pipekit/core";
import { describe, expect, it } from "vitest";
import {
  type AktoRecord,
  agentHost,
  aktoMappingComponent,
  aktoMappingTransform,
  mapExecutionToAktoRecords,
  toDnsLabel,
  toolHost,
} from "../src/mapping/index.js";
import { chatAgentExecution, legacyExecution } from "./fixtures/mapping-executions.js";

function execution(changes: Partial<AgentExecution> = {}): AgentExecution {
  return { ...chatAgentExecution, ...changes };
}

function headers(json: string): Record<string, string> {
  return JSON.parse(json) as Record<string, string>;
}

describe("mapExecutionToAktoRecords: the agent record", () => {
  const [record] = mapExecutionToAktoRecords(chatAgentExecution) as [AktoRecord, ...AktoRecord[]];

  it("uses the endpoint's invocation path, POST and HTTP/1.1", () => {
    expect(record.path).toBe("/serving-endpoints/support-agent/invocations");
    expect(record.method).toBe("POST");
    expect(record.type).toBe("HTTP/1.1");
  });

  it("writes time as epoch SECONDS (floored) in a string", () => {
    expect(record.time).toBe("1777630000");
  });

  it("applies the constant fields and the config defaults", () => {
    expect(record).toMatchObject({
      source: "MIRRORING",
      akto_account_id: "1000000",
      akto_vxlan_id: "0",
      ip: "0.0.0.0",
      destIp: "",
      is_pending: "false",
      direction: "",
      process_id: "",
      socket_id: "",
      daemonset_id: "",
      enabled_graph: "",
    });
    expect(record).not.toHaveProperty("publishToGuardrails");
  });

  it("takes account, vxlan and client ip from options", () => {
    const [custom] = mapExecutionToAktoRecords(chatAgentExecution, {
      accountId: 1_234_567,
      vxlanId: "7",
      clientIp: "192.168.1.9",
    });
    expect(custom).toMatchObject({ akto_account_id: "1234567", akto_vxlan_id: "7", ip: "192.168.1.9" });
  });

  it("encodes headers as JSON strings with host, content-type and the Databricks request id", () => {
    expect(headers(record.requestHeaders)).toEqual({
      host: "support-agent.agent.adb-1234567890123456.7.azuredatabricks.net",
      "content-type": "application/json",
      "x-databricks-request-id": chatAgentExecution.requestId,
      "x-databricks-client-request-id": chatAgentExecution.clientRequestId,
    });
    expect(headers(record.responseHeaders)).toEqual({ "content-type": "application/json" });
  });

  it("passes the raw request and response bodies through unchanged", () => {
    expect(record.requestPayload).toBe(chatAgentExecution.rawRequest);
    expect(record.responsePayload).toBe(chatAgentExecution.rawResponse);
  });

  it("tags gen-ai, ai-agent, bot-name, source DATABRICKS, model and version; extras cannot override", () => {
    const [tagged] = mapExecutionToAktoRecords(chatAgentExecution, {
      tagExtras: { team: "support", source: "SPOOFED", "gen-ai": "no" },
    });
    expect(JSON.parse(tagged!.tag)).toEqual({
      team: "support",
      "gen-ai": "Gen AI",
      "ai-agent": "support-agent",
      "bot-name": "main.agents.support_agent",
      source: "DATABRICKS",
      model: "main.agents.support_agent",
      "model-version": "4",
    });
  });

  it("uses the endpoint as bot-name and omits model keys when the model is unknown", () => {
    const [noModel] = mapExecutionToAktoRecords(execution({ agent: { endpoint: "weather-llm" } }));
    expect(JSON.parse(noModel!.tag)).toEqual({
      "gen-ai": "Gen AI",
      "ai-agent": "weather-llm",
      "bot-name": "weather-llm",
      source: "DATABRICKS",
    });
  });

  it.each([
    [200, "OK"],
    [400, "Bad Request"],
    [401, "Unauthorized"],
    [429, "Too Many Requests"],
    [500, "Internal Server Error"],
    [503, "Service Unavailable"],
  ])("derives status text for %i", (statusCode, text) => {
    const [mapped] = mapExecutionToAktoRecords(execution({ statusCode }));
    expect(mapped).toMatchObject({ statusCode: String(statusCode), status: text });
  });

  it("falls back to the recorded error as response body when none was recorded", () => {
    const [failed] = mapExecutionToAktoRecords(legacyExecution);
    expect(JSON.parse(failed!.responsePayload)).toEqual({ error: legacyExecution.error });
  });

  it("refuses times and status codes Akto cannot represent, naming the execution and field", () => {
    expect(() => mapExecutionToAktoRecords(execution({ startTime: Number.NaN }))).toThrow(
      /execution "5f0c6f3e-8a2b-4c1d-9e7f-0a1b2c3d4e5f".*startTime/,
    );
    // 2^31 seconds, written in ms: beyond Akto's int32 seconds.
    expect(() => mapExecutionToAktoRecords(execution({ startTime: 2 ** 31 * 1000 }))).toThrow(PoisonError);
    expect(() => mapExecutionToAktoRecords(execution({ statusCode: 0 }))).toThrow(/statusCode/);
  });
});

describe("mapExecutionToAktoRecords: tool-call records", () => {
  const [parent, lookup, refund] = mapExecutionToAktoRecords(chatAgentExecution) as AktoRecord[];

  it("gives each tool call its own host under the agent, path /tools/<name>, POST", () => {
    expect(lookup!.path).toBe("/tools/lookup_order");
    expect(lookup!.method).toBe("POST");
    expect(headers(lookup!.requestHeaders).host).toBe(
      "lookup-order.tool.support-agent.agent.adb-1234567890123456.7.azuredatabricks.net",
    );
  });

  it("links to the parent by x-akto-parent-request-id and tags the parent agent and the tool", () => {
    expect(headers(refund!.requestHeaders)).toMatchObject({
      "x-akto-parent-request-id": chatAgentExecution.requestId,
      "x-tool-call-id": "call_refund_2",
    });
    expect(JSON.parse(refund!.tag)).toMatchObject({
      "ai-agent": "support-agent",
      tool: "issue_refund",
      source: "DATABRICKS",
    });
    expect(parent!.tag).not.toContain("issue_refund");
  });

  it("carries arguments as request, result as response, 200; an errored tool is 500 with its error", () => {
    expect(lookup).toMatchObject({
      requestPayload: '{"order_id":"A-1001"}',
      responsePayload: '{"status":"lost_in_transit","carrier":"DHL"}',
      statusCode: "200",
      status: "OK",
    });
    expect(refund).toMatchObject({ statusCode: "500", status: "Internal Server Error" });
    expect(JSON.parse(refund!.responsePayload)).toEqual({ error: "Refund service unavailable" });
  });

  it("uses the tool's own start time when known, else the parent's", () => {
    expect(refund!.time).toBe("1777630001");
    const [, noTime] = mapExecutionToAktoRecords(
      execution({
        toolCalls: [{ id: "c", name: "t", arguments: "{}", startTime: Number.POSITIVE_INFINITY }],
      }),
    );
    expect(noTime!.time).toBe(parent!.time);
  });

  it("labels non-JSON bodies as text/plain", () => {
    const [, text] = mapExecutionToAktoRecords(
      execution({ toolCalls: [{ id: "c", name: "t", arguments: "plain words", result: "ok" }] }),
    );
    expect(headers(text!.requestHeaders)["content-type"]).toBe("text/plain; charset=utf-8");
    expect(headers(text!.responseHeaders)["content-type"]).toBe("text/plain; charset=utf-8");
  });

  it("can be switched off", () => {
    expect(mapExecutionToAktoRecords(chatAgentExecution, { includeToolCalls: false })).toHaveLength(1);
  });
});

describe("DNS-style hosts", () => {
  it("lower-cases and turns anything outside [a-z0-9-] into single dashes", () => {
    expect(toDnsLabel("Legacy_Support__Bot!", "agent")).toBe("legacy-support-bot");
    expect(toDnsLabel("system.ai.python_exec", "tool")).toBe("system-ai-python-exec");
  });

  it("keeps labels within 63 characters and distinct after shortening", () => {
    const a = toDnsLabel(`${"a".repeat(80)}-one`, "agent");
    const b = toDnsLabel(`${"a".repeat(80)}-two`, "agent");
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
    expect(a).not.toBe(b);
  });

  it("gives names with no usable character a stable, distinct label with letters", () => {
    expect(toDnsLabel("___", "tool")).toMatch(/^tool-[0-9a-f]{8}$/);
    expect(toDnsLabel("___", "tool")).toBe(toDnsLabel("___", "tool"));
    expect(toDnsLabel("日本", "tool")).not.toBe(toDnsLabel("中文", "tool"));
  });

  it("strips scheme, port and path from the workspace", () => {
    expect(agentHost("bot", "https://adb-1.2.azuredatabricks.net:443/?o=1")).toBe(
      "bot.agent.adb-1.2.azuredatabricks.net",
    );
    expect(agentHost("bot", "127.0.0.1:8443")).toBe("bot.agent.127.0.0.1");
  });

  it("stays within 253 characters however long the names, keeping the agent and tool labels", () => {
    const workspace = Array.from({ length: 8 }, (_, i) => `${i}${"w".repeat(40)}`).join(".");
    const host = toolHost("t".repeat(100), "e".repeat(100), workspace);
    expect(host.length).toBeLessThanOrEqual(253);
    expect(host.split(".").every((label) => label.length >= 1 && label.length <= 63)).toBe(true);
    expect(host).toMatch(/^t+-[0-9a-f]{8}\.tool\.e+-[0-9a-f]{8}\.agent\.ws-[0-9a-f]{8}\./);
    expect(toolHost("t", "e", workspace)).not.toBe(toolHost("t", "e", `x${workspace}`));
  });
});

function fakeContext(): ComponentContext & { warnings: { obj: object; msg?: string }[] } {
  const warnings: { obj: object; msg?: string }[] = [];
  const logger = {
    debug() {},
    info() {},
    warn(obj: object, msg?: string) {
      warnings.push({ obj, msg });
    },
    error() {},
    child: () => logger,
  };
  return {
    componentId: "transforms.akto",
    logger,
    meter: undefined as never,
    tracer: undefined as never,
    signal: new AbortController().signal,
    warnings,
  };
}

describe("aktoMappingTransform", () => {
  it("turns one execution message into the agent record then one per tool call, with stable ids", async () => {
    const ctx = fakeContext();
    const input = createMessage(chatAgentExecution.requestId, chatAgentExecution, { source: "databricks" });
    const out = await aktoMappingTransform().transform(input, ctx);
    const messages = Array.isArray(out) ? out : [];
    expect(messages.map((m) => m.id)).toEqual([
      "5f0c6f3e-8a2b-4c1d-9e7f-0a1b2c3d4e5f",
      "5f0c6f3e-8a2b-4c1d-9e7f-0a1b2c3d4e5f#tool:call_lookup_1",
      "5f0c6f3e-8a2b-4c1d-9e7f-0a1b2c3d4e5f#tool:call_refund_2",
    ]);
    expect(messages.map((m) => m.meta.aktoRecordKind)).toEqual(["agent", "tool", "tool"]);
    for (const message of messages) {
      expect(message.meta).toMatchObject({ source: "databricks", truncated: [] });
      expect(message.sizeBytes).toBe(Buffer.byteLength(JSON.stringify(message.value)));
    }
    expect(ctx.warnings).toEqual([]);
  });

  it("keeps message ids unique when tool call ids repeat or are empty", async () => {
    const calls = [
      { id: "dup", name: "a", arguments: "{}" },
      { id: "dup", name: "b", arguments: "{}" },
      { id: "", name: "c", arguments: "{}" },
    ];
    const input = createMessage("r1", execution({ requestId: "r1", toolCalls: calls }));
    const out = await aktoMappingTransform().transform(input, fakeContext());
    const ids = (Array.isArray(out) ? out : []).map((m) => m.id);
    expect(ids).toEqual(["r1", "r1#tool:dup", "r1#tool:dup~1", "r1#tool:2"]);
  });

  it("dead-letters a value that is not an AgentExecution, naming the bad fields", () => {
    const bad = createMessage("row-9", { ...chatAgentExecution, startTime: "yesterday", agent: {} });
    const transform = aktoMappingTransform();
    expect(() => transform.transform(bad as never, fakeContext())).toThrow(PoisonError);
    expect(() => transform.transform(bad as never, fakeContext())).toThrow(
      /Message "row-9" is not an AgentExecution: .*agent\.endpoint.*startTime|startTime.*agent\.endpoint/,
    );
  });

  it("rejects bad options with a ConfigError naming the option", () => {
    expect(() => aktoMappingTransform({ clientIp: "not-an-ip" })).toThrow(ConfigError);
    expect(() => aktoMappingTransform({ clientIp: "not-an-ip" })).toThrow(/clientIp/);
  });
});

describe("aktoMappingComponent", () => {
  // core's register() does not accept a concrete config type yet (the lead knows), hence the cast.
  const registry = new ComponentRegistry().register(aktoMappingComponent as never);

  it("registers as the akto_mapping transform with defaults", () => {
    expect(registry.get("transform", "akto_mapping")).toBe(aktoMappingComponent);
    expect(registry.parse("transform", "akto_mapping", {})).toEqual({
      accountId: "1000000",
      vxlanId: "0",
      clientIp: "0.0.0.0",
      includeToolCalls: true,
      tagExtras: {},
    });
  });

  it("accepts numeric ids from YAML and rejects unknown keys and bad values with their path", () => {
    expect(registry.parse("transform", "akto_mapping", { accountId: 1000001 })).toMatchObject({
      accountId: "1000001",
    });
    expect(() => registry.parse("transform", "akto_mapping", { acountId: "1" }, ["transforms", 0])).toThrow(
      /transforms\[0\]/,
    );
    expect(() => registry.parse("transform", "akto_mapping", { vxlanId: "-1" })).toThrow(/vxlanId/);
  });

  it("creates a working transform", async () => {
    const transform = await registry.create(
      "transform",
      "akto_mapping",
      { includeToolCalls: false },
      { logger: fakeContext().logger, baseDir: "." },
    );
    const out = await (transform as ReturnType<typeof aktoMappingTransform>).transform(
      createMessage("x", chatAgentExecution),
      fakeContext(),
    );
    expect(Array.isArray(out) ? out.length : 0).toBe(1);
  });
});
