import { isIP } from "node:net";
import {
  AKTO_BOOLEAN_FIELD,
  AKTO_MAX_STRING_CHARS,
  AKTO_SOURCES,
  AKTO_STRING_FIELDS,
  HTTP_METHODS,
  INT32_MAX,
} from "./akto-rules.js";
import type { ContractViolation } from "./contract-violation.js";

const KNOWN_FIELDS = new Set<string>([...AKTO_STRING_FIELDS, AKTO_BOOLEAN_FIELD]);
const INTEGER = /^-?\d+$/;

/**
 * Applies Akto's parsing rules to one ingestion record and returns EVERY violation (an empty array
 * means Akto would accept the record and file it under a real API collection). `prefix` is put in
 * front of field names, e.g. "batchData[2]." when called for a batch.
 */
export function checkAktoRecord(record: unknown, prefix = ""): ContractViolation[] {
  const violations: ContractViolation[] = [];
  const report = (field: string, reason: string) => violations.push({ field: `${prefix}${field}`, reason });

  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    report("(record)", `must be a JSON object, got ${describeType(record)}`);
    return violations;
  }
  const fields = record as Record<string, unknown>;

  for (const name of Object.keys(fields)) {
    if (!KNOWN_FIELDS.has(name)) {
      report(name, "is not a field of Akto's record: the ingestion service would drop it silently");
    }
  }

  const strings = new Map<string, string>();
  for (const name of AKTO_STRING_FIELDS) {
    const value = fields[name];
    if (value === undefined) {
      report(name, "is missing (required)");
    } else if (typeof value !== "string") {
      report(name, `must be a string, got ${describeType(value)}`);
    } else if (value.length > AKTO_MAX_STRING_CHARS) {
      report(name, `is ${value.length} characters; Akto rejects strings over ${AKTO_MAX_STRING_CHARS}`);
    } else {
      strings.set(name, value);
    }
  }
  const guardrails = fields[AKTO_BOOLEAN_FIELD];
  if (guardrails !== undefined && typeof guardrails !== "boolean") {
    report(AKTO_BOOLEAN_FIELD, `must be a boolean when present, got ${describeType(guardrails)}`);
  }

  // Each rule below only looks at fields that passed the type check, so one bad value gives one violation.
  const requestHeaders = strings.has("requestHeaders")
    ? checkStringMap(strings.get("requestHeaders")!, "requestHeaders", report, true)
    : undefined;
  if (strings.has("responseHeaders")) {
    checkStringMap(strings.get("responseHeaders")!, "responseHeaders", report, true);
  }
  if (requestHeaders) checkHost(requestHeaders, report);
  if (strings.has("tag")) checkStringMap(strings.get("tag")!, "tag", report, false);

  const path = strings.get("path");
  if (path !== undefined && !path.startsWith("/")) report("path", 'must start with "/"');

  const method = strings.get("method");
  if (method !== undefined && !(HTTP_METHODS as readonly string[]).includes(method)) {
    report("method", `must be an upper-case HTTP method (${HTTP_METHODS.join(", ")})`);
  }

  const time = strings.get("time");
  if (time !== undefined) checkTime(time, report);

  const statusCode = strings.get("statusCode");
  if (statusCode !== undefined) {
    if (!INTEGER.test(statusCode)) report("statusCode", 'must be an integer written as a string, e.g. "200"');
    else if (Number(statusCode) < 100 || Number(statusCode) > 599) {
      report("statusCode", `must be an HTTP status code 100-599, got ${statusCode}`);
    }
  }

  const source = strings.get("source");
  if (source !== undefined && !(AKTO_SOURCES as readonly string[]).includes(source)) {
    report("source", `must be one of ${AKTO_SOURCES.join(", ")} (custom origins go into the tag JSON)`);
  }

  for (const name of ["akto_account_id", "akto_vxlan_id"] as const) {
    const value = strings.get(name);
    if (value !== undefined && !(INTEGER.test(value) && Math.abs(Number(value)) <= INT32_MAX)) {
      report(name, "must be a 32-bit integer written as a string");
    }
  }

  const pending = strings.get("is_pending");
  if (pending !== undefined && pending !== "true" && pending !== "false") {
    report("is_pending", 'must be "true" or "false"');
  }

  const type = strings.get("type");
  if (type !== undefined && !/^HTTP\/\d(\.\d)?$/.test(type)) {
    report("type", 'must be an HTTP version such as "HTTP/1.1"');
  }

  return violations;
}

type Report = (field: string, reason: string) => void;

/**
 * Akto reads headers (and the tag) as Map<String,String>: the string must hold a JSON object whose
 * values are all strings. Header keys are lower-cased by Akto, so upper-case keys would not match.
 */
function checkStringMap(
  text: string,
  field: string,
  report: Report,
  lowerCaseKeys: boolean,
): Record<string, string> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    report(field, "must be a JSON object encoded as a string; it does not parse as JSON");
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    report(field, `must be a JSON object encoded as a string, got JSON ${describeType(parsed)}`);
    return undefined;
  }
  let valid = true;
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== "string") {
      report(`${field}.${key}`, `must be a string value, got ${describeType(value)}`);
      valid = false;
    }
    if (lowerCaseKeys && key !== key.toLowerCase()) {
      report(`${field}.${key}`, "key must be lower-case (Akto lower-cases header names)");
      valid = false;
    }
  }
  return valid ? (parsed as Record<string, string>) : undefined;
}

/** The host header picks the API collection; Akto ignores hosts without letters (bare IPs). */
function checkHost(headers: Record<string, string>, report: Report): void {
  const host = headers.host;
  if (host === undefined || host.trim() === "") {
    report("requestHeaders.host", "is missing: Akto files traffic by host, one API collection per host");
    return;
  }
  // "[v6]:port", "v6", "name:port" or "name": only a single colon can be a port separator.
  const bare = host.startsWith("[")
    ? host.slice(1, host.indexOf("]"))
    : host.split(":").length === 2
      ? host.replace(/:\d+$/, "")
      : host;
  if (isIP(bare) !== 0 || !/[a-z]/i.test(bare)) {
    report("requestHeaders.host", "must be a DNS name with letters; Akto ignores bare IP hosts");
  }
}

function checkTime(time: string, report: Report): void {
  if (!/^\d+$/.test(time)) {
    report("time", "must be a non-negative integer number of epoch seconds written as a string");
    return;
  }
  const seconds = Number(time);
  if (seconds > INT32_MAX) {
    const hint = seconds >= 1e11 ? " (this looks like milliseconds)" : "";
    report("time", `does not fit a 32-bit int${hint}; Akto wants epoch seconds`);
  }
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
