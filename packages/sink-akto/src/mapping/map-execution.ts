import type { AgentExecution, ToolCall } from "@pipekit/agent-execution";
import { type EncodedValue, PoisonError } from "@pipekit/core";
import { defineEncodedKind, withEncodedKind } from "@pipekit/core/advanced";
import { type AgentParts, agentParts, toolParts } from "./agent-parts.js";
import { AKTO_MAX_RECORD_BYTES, AKTO_MAX_STRING_CHARS, type AktoRecord } from "./akto-record.js";
import { fitRecordToBytes, PAYLOAD_FIELDS, type PayloadField } from "./fit-record.js";
import type { AktoMappingConfig } from "./mapping-config.js";
import { statusText } from "./status-text.js";
import { truncateToChars } from "./truncate.js";

/** A record plus what the pipeline needs to know about it. */
export interface MappedAktoRecord {
  /** `<requestId>` for the agent call, `<requestId>#tool:<toolCallId>` for a tool call. */
  readonly id: string;
  readonly kind: "agent" | "tool";
  readonly record: AktoRecord;
  /** Fields cut to fit Akto's limits, e.g. ["requestPayload"]; empty when nothing was cut. */
  readonly truncated: readonly PayloadField[];
  /** Characters removed per truncated field. */
  readonly removedChars: Readonly<Partial<Record<PayloadField, number>>>;
  /** Bytes of the record serialised as JSON. */
  readonly sizeBytes: number;
  /** That JSON, made once; `fit` shortens it further for destinations with smaller limits. */
  readonly encoded: EncodedValue;
}

/** Header values we copy from data (ids) are capped: a header is not the place for megabytes. */
const MAX_HEADER_VALUE_CHARS = 8192;
const INT32_MAX = 2_147_483_647;

/**
 * One AgentExecution → the agent's invocation record, then (when enabled) one record per tool call.
 * Throws a PoisonError naming the execution and the field when the execution cannot be expressed
 * in Akto's format (the pipeline dead-letters it; nothing is dropped silently).
 */
export function mapExecution(execution: AgentExecution, config: AktoMappingConfig): MappedAktoRecord[] {
  const time = epochSeconds(execution.startTime);
  if (time === undefined) {
    throw new PoisonError(
      `Cannot map execution "${execution.requestId}" to an Akto record: startTime must be epoch milliseconds within Akto's 32-bit seconds range, got ${execution.startTime}`,
    );
  }
  if (execution.statusCode < 100 || execution.statusCode > 599) {
    throw new PoisonError(
      `Cannot map execution "${execution.requestId}" to an Akto record: statusCode must be an HTTP status 100-599, got ${execution.statusCode}`,
    );
  }

  const agent = agentParts(execution, config);
  const requestHeaders: Record<string, string> = {
    host: agent.host,
    "content-type": "application/json",
    "x-databricks-request-id": headerValue(execution.requestId),
  };
  if (execution.clientRequestId) {
    requestHeaders["x-databricks-client-request-id"] = headerValue(execution.clientRequestId);
  }
  // An errored call without a recorded body still tells Akto what went wrong.
  const responsePayload =
    execution.rawResponse === "" && execution.error !== undefined
      ? JSON.stringify({ error: execution.error })
      : execution.rawResponse;

  const mapped = [
    finish(execution.requestId, "agent", constantFields(config), {
      path: agent.path,
      method: "POST",
      requestHeaders: JSON.stringify(requestHeaders),
      responseHeaders: JSON_RESPONSE_HEADERS,
      requestPayload: execution.rawRequest,
      responsePayload,
      time: String(time),
      statusCode: String(execution.statusCode),
      status: statusText(execution.statusCode),
      tag: agent.tagJson,
    }),
  ];
  if (!config.includeToolCalls) return mapped;

  const seenIds = new Set<string>();
  execution.toolCalls.forEach((call, index) => {
    // Message ids must stay unique within the execution even if the model reused or omitted a call id.
    let callId = call.id === "" ? String(index) : call.id;
    if (seenIds.has(callId)) callId = `${callId}~${index}`;
    seenIds.add(callId);
    mapped.push(mapToolCall(execution, call, callId, time, agent, config));
  });
  return mapped;
}

/**
 * A tool call as the agent's own outbound API call: its own host under the agent's, the arguments
 * as the request, the result (or error) as the response, linked to the agent call by header.
 */
function mapToolCall(
  execution: AgentExecution,
  call: ToolCall,
  callId: string,
  parentTime: number,
  agent: AgentParts,
  config: AktoMappingConfig,
): MappedAktoRecord {
  const tool = toolParts(agent, call.name, execution);
  const failed = call.error !== undefined;
  const statusCode = failed ? 500 : 200;
  const responsePayload = call.result ?? (failed ? JSON.stringify({ error: call.error }) : "");
  const startTime = call.startTime !== undefined ? epochSeconds(call.startTime) : undefined;
  return finish(`${execution.requestId}#tool:${callId}`, "tool", constantFields(config), {
    path: tool.path,
    method: "POST",
    requestHeaders: JSON.stringify({
      host: tool.host,
      "content-type": contentType(call.arguments),
      "x-akto-parent-request-id": headerValue(execution.requestId),
      "x-tool-call-id": headerValue(callId),
    }),
    responseHeaders:
      contentType(responsePayload) === JSON_CONTENT_TYPE ? JSON_RESPONSE_HEADERS : TEXT_RESPONSE_HEADERS,
    requestPayload: call.arguments,
    responsePayload,
    time: String(startTime ?? parentTime),
    statusCode: String(statusCode),
    status: statusText(statusCode),
    tag: tool.tagJson,
  });
}

type VaryingFields = Pick<
  AktoRecord,
  | "path"
  | "method"
  | "requestHeaders"
  | "responseHeaders"
  | "requestPayload"
  | "responsePayload"
  | "time"
  | "statusCode"
  | "status"
  | "tag"
>;

/**
 * Assembles the record in the reference's field order and fits it to Akto's size limits. (The two
 * halves are passed apart: spreading 12 constants into every record's fields first cost a tenth of
 * the mapping.)
 */
function finish(id: string, kind: MappedAktoRecord["kind"], constant: ConstantFields, fields: VaryingFields) {
  const record: AktoRecord = {
    path: fields.path,
    method: fields.method,
    requestHeaders: fields.requestHeaders,
    responseHeaders: fields.responseHeaders,
    requestPayload: fields.requestPayload,
    responsePayload: fields.responsePayload,
    ip: constant.ip,
    destIp: constant.destIp,
    time: fields.time,
    statusCode: fields.statusCode,
    status: fields.status,
    type: constant.type,
    akto_account_id: constant.akto_account_id,
    akto_vxlan_id: constant.akto_vxlan_id,
    is_pending: constant.is_pending,
    source: constant.source,
    tag: fields.tag,
    direction: constant.direction,
    process_id: constant.process_id,
    socket_id: constant.socket_id,
    daemonset_id: constant.daemonset_id,
    enabled_graph: constant.enabled_graph,
  };
  return fitToLimits(id, kind, record);
}

/**
 * Payloads are the only fields that can be large. First each is cut to Akto's per-string limit,
 * then, if the serialised record still exceeds the body limit (JSON escapes and multi-byte UTF-8 make
 * bytes exceed characters), it is fitted to that. The record is serialised here once: that text is
 * its size and, as `encoded`, what the sinks send.
 */
function fitToLimits(id: string, kind: MappedAktoRecord["kind"], record: AktoRecord): MappedAktoRecord {
  const removed: Partial<Record<PayloadField, number>> = {};
  for (const field of PAYLOAD_FIELDS) {
    const cut = truncateToChars(record[field], AKTO_MAX_STRING_CHARS);
    if (cut.removed === 0) continue;
    record[field] = cut.text;
    removed[field] = cut.removed;
  }
  let text = JSON.stringify(record);
  let bytes = Buffer.byteLength(text);
  if (bytes > AKTO_MAX_RECORD_BYTES) {
    const fitted = fitRecordToBytes(record, text, bytes, AKTO_MAX_RECORD_BYTES);
    if (fitted === undefined) throw unfittable(id, AKTO_MAX_RECORD_BYTES);
    record = fitted.record;
    ({ text, bytes } = fitted);
    for (const field of PAYLOAD_FIELDS) {
      const more = fitted.removed[field];
      if (more !== undefined) removed[field] = (removed[field] ?? 0) + more;
    }
  }
  const truncated = PAYLOAD_FIELDS.filter((f) => removed[f] !== undefined);
  const encoded = withEncodedKind(aktoEncoded(text, bytes, removed), AKTO_RECORD_KIND, removed);
  return { id, kind, record, truncated, removedChars: removed, sizeBytes: bytes, encoded };
}

/** The encoded kind of an Akto record's JSON: a record mapped in a worker thread gets its `fit` back. */
const AKTO_RECORD_KIND = "@pipekit/sink-akto:record";

/** A record's JSON whose `fit` cuts its payloads further (`removed`: what mapping already cut). */
function aktoEncoded(
  text: string,
  bytes: number,
  removed: Partial<Record<PayloadField, number>>,
): EncodedValue {
  // Not encodedJson: it would measure the text's bytes again, and fitToLimits already has them.
  const fit = (maxBytes: number) => {
    // Parsed again here (records too large for a destination are rare) so that the closure holds
    // only the text: a record waiting in a sink's queue must not keep its object form alive too.
    const fitted = fitRecordToBytes(JSON.parse(text) as AktoRecord, text, bytes, maxBytes);
    if (fitted === undefined) return undefined;
    const cut = PAYLOAD_FIELDS.filter((f) => removed[f] !== undefined || fitted.removed[f] !== undefined);
    return { text: fitted.text, bytes: fitted.bytes, truncated: cut };
  };
  return { text, bytes, fit };
}

defineEncodedKind(AKTO_RECORD_KIND, (text, bytes, removed) =>
  aktoEncoded(text, bytes, removed as Partial<Record<PayloadField, number>>),
);

function unfittable(id: string, maxBytes: number): PoisonError {
  return new PoisonError(
    `Akto record "${id}" cannot be fitted to ${maxBytes} bytes: its fields other than the payloads are larger than that`,
  );
}

interface ConstantFields {
  ip: string;
  destIp: string;
  type: string;
  akto_account_id: string;
  akto_vxlan_id: string;
  is_pending: string;
  source: string;
  direction: string;
  process_id: string;
  socket_id: string;
  daemonset_id: string;
  enabled_graph: string;
}

const constants = new WeakMap<AktoMappingConfig, ConstantFields>();

function constantFields(config: AktoMappingConfig): ConstantFields {
  let fields = constants.get(config);
  if (fields === undefined) {
    fields = buildConstantFields(config);
    constants.set(config, fields);
  }
  return fields;
}

function buildConstantFields(config: AktoMappingConfig): ConstantFields {
  return {
    ip: config.clientIp,
    destIp: "",
    type: "HTTP/1.1",
    akto_account_id: config.accountId,
    akto_vxlan_id: config.vxlanId,
    is_pending: "false",
    // Traffic observed, not generated: Akto's enum has no "DATABRICKS" (that goes into the tag).
    source: "MIRRORING",
    direction: "",
    process_id: "",
    socket_id: "",
    daemonset_id: "",
    enabled_graph: "",
  };
}

/** Epoch ms → whole seconds, or undefined when it is not a time Akto's int32 field can hold. */
function epochSeconds(epochMs: number): number | undefined {
  if (!Number.isFinite(epochMs) || epochMs < 0) return undefined;
  const seconds = Math.floor(epochMs / 1000);
  return seconds <= INT32_MAX ? seconds : undefined;
}

function headerValue(value: string): string {
  return truncateToChars(value, MAX_HEADER_VALUE_CHARS).text;
}

/**
 * Tool arguments and results are usually JSON, but free text happens. Judged by shape, not by
 * parsing: the texts were parsed upstream already (normaliser, redaction) and a full JSON.parse of
 * every argument and result here cost a sixth of the mapping. A malformed body that merely looks
 * like JSON gets the JSON label, which is what its producer claimed anyway.
 */
export function contentType(body: string): string {
  return looksLikeJson(body) ? JSON_CONTENT_TYPE : TEXT_CONTENT_TYPE;
}

const JSON_CONTENT_TYPE = "application/json";
const TEXT_CONTENT_TYPE = "text/plain; charset=utf-8";
const JSON_RESPONSE_HEADERS = JSON.stringify({ "content-type": JSON_CONTENT_TYPE });
const TEXT_RESPONSE_HEADERS = JSON.stringify({ "content-type": TEXT_CONTENT_TYPE });

const JSON_SCALAR = /^\s*(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)\s*$/;

function looksLikeJson(body: string): boolean {
  let start = 0;
  let end = body.length - 1;
  while (start <= end && isJsonSpace(body.charCodeAt(start))) start++;
  while (end > start && isJsonSpace(body.charCodeAt(end))) end--;
  if (start > end) return false;
  const first = body.charCodeAt(start);
  const last = body.charCodeAt(end);
  if (first === 0x7b /* { */) return last === 0x7d;
  if (first === 0x5b /* [ */) return last === 0x5d;
  if (first === 0x22 /* " */) return end > start && last === 0x22;
  return body.length <= 64 && JSON_SCALAR.test(body);
}

function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
