/**
 * Akto's parsing rules as constants, read from Akto's public source (see
 * shared/reference/akto-ingestion.md). Kept apart from the mapping's own constants on purpose: the
 * checker is an independent reading of the reference, so a mistake in one is caught by the other.
 */

/** Longest string value the ingestion service's JSON parser accepts. */
export const AKTO_MAX_STRING_CHARS = 5_242_880;

/** Largest `POST /api/ingestData` body. */
export const AKTO_MAX_BODY_BYTES = 10_485_760;

/** `source` is parsed as an enum name: anything else is rejected. */
export const AKTO_SOURCES = [
  "HAR",
  "PCAP",
  "MIRRORING",
  "SDK",
  "OTHER",
  "POSTMAN",
  "OPEN_API",
  "BURP",
  "IMPERVA",
  "WIZ",
] as const;

export const HTTP_METHODS = [
  "GET",
  "POST",
  "PUT",
  "DELETE",
  "PATCH",
  "HEAD",
  "OPTIONS",
  "TRACE",
  "CONNECT",
] as const;

/** Every field of the record; all are strings. */
export const AKTO_STRING_FIELDS = [
  "path",
  "method",
  "requestHeaders",
  "responseHeaders",
  "requestPayload",
  "responsePayload",
  "ip",
  "destIp",
  "time",
  "statusCode",
  "status",
  "type",
  "akto_account_id",
  "akto_vxlan_id",
  "is_pending",
  "source",
  "tag",
  "direction",
  "process_id",
  "socket_id",
  "daemonset_id",
  "enabled_graph",
] as const;

/** The only non-string field, and optional. The service does not forward it to Kafka. */
export const AKTO_BOOLEAN_FIELD = "publishToGuardrails";

/** `time` is read into a 32-bit int: epoch milliseconds overflow it. */
export const INT32_MAX = 2_147_483_647;
