/**
 * A contract-valid Akto record for tests and benchmarks, distinct per `n` (path, payload, time).
 * `payloadBytes` pads the request payload to roughly that size.
 */
export function sampleAktoRecord(
  n: number,
  options: { payloadBytes?: number; overrides?: Record<string, unknown> } = {},
): Record<string, string | boolean> & Record<string, unknown> {
  const base = JSON.stringify({ messages: [{ role: "user", content: `question ${n}` }] });
  const pad = Math.max(0, (options.payloadBytes ?? 0) - base.length - 10);
  const requestPayload =
    pad > 0
      ? JSON.stringify({ messages: [{ role: "user", content: `question ${n} ${"x".repeat(pad)}` }] })
      : base;
  return {
    path: "/serving-endpoints/support-agent/invocations",
    method: "POST",
    requestHeaders: JSON.stringify({
      host: "support-agent.agent.example.cloud.databricks.com",
      "content-type": "application/json",
      "x-databricks-request-id": `req-${n}`,
    }),
    responseHeaders: JSON.stringify({ "content-type": "application/json" }),
    requestPayload,
    responsePayload: JSON.stringify({
      choices: [{ message: { role: "assistant", content: `answer ${n}` } }],
    }),
    ip: "127.0.0.1",
    destIp: "",
    time: String(1_764_263_000 + n),
    statusCode: "200",
    status: "OK",
    type: "HTTP/1.1",
    akto_account_id: "1000000",
    akto_vxlan_id: "0",
    is_pending: "false",
    source: "MIRRORING",
    tag: JSON.stringify({ "gen-ai": "Gen AI", "ai-agent": "support-agent", source: "DATABRICKS" }),
    direction: "",
    process_id: "",
    socket_id: "",
    daemonset_id: "",
    enabled_graph: "",
    ...options.overrides,
  };
}
