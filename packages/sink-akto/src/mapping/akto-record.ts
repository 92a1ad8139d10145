/**
 * One traffic record as Akto's data-ingestion service reads it (`POST /api/ingestData`, and the
 * value on Kafka topic `akto.api.logs`). Every field is a string: headers and the tag are JSON
 * objects ENCODED AS STRINGS, `time` is epoch seconds. See shared/reference/akto-ingestion.md.
 */
export interface AktoRecord {
  path: string;
  method: string;
  /** JSON object of string values with lower-case keys, as a string. Its `host` picks the API collection. */
  requestHeaders: string;
  responseHeaders: string;
  requestPayload: string;
  responsePayload: string;
  /** Client IP (a configured constant: Databricks does not record it). */
  ip: string;
  destIp: string;
  /** Epoch SECONDS (Akto parses it as a 32-bit int: milliseconds would overflow). */
  time: string;
  statusCode: string;
  status: string;
  type: string;
  akto_account_id: string;
  akto_vxlan_id: string;
  is_pending: string;
  /** Akto's enum; the Databricks origin goes into `tag` instead. */
  source: string;
  /** JSON object as a string: gen-ai, ai-agent, bot-name, source DATABRICKS, model… */
  tag: string;
  direction: string;
  process_id: string;
  socket_id: string;
  daemonset_id: string;
  enabled_graph: string;
  /** The only non-string field; optional and not forwarded to Kafka. */
  publishToGuardrails?: boolean;
}

/** Akto's JSON parser rejects longer strings. */
export const AKTO_MAX_STRING_CHARS = 5_242_880;

/** Akto's limit for a whole `/api/ingestData` body. */
export const AKTO_MAX_BODY_BYTES = 10_485_760;

/** The batch envelope around records: a record alone in a batch must still fit the body limit. */
export const AKTO_MAX_RECORD_BYTES = AKTO_MAX_BODY_BYTES - Buffer.byteLength('{"batchData":[]}');
