import type { AgentSpec } from "./agents.js";
import type { SensitiveValue } from "./sensitive-data.js";

/** One seeded payload row, as tests need to assert on it. */
export interface SeededRow {
  id: string;
  /** Epoch ms of request_time (timestamp_ms for legacy tables). */
  requestTime: number;
  statusCode: number;
  toolCalls: number;
  trace: boolean;
  /** The prompt carries a sensitive value (see manifest.sensitiveValues). */
  sensitive: boolean;
  /** request is not valid JSON. */
  malformed: boolean;
  /** request is larger than 1 MB. */
  oversized: boolean;
  /** response is NULL and logging_error_codes holds MAX_RESPONSE_SIZE_EXCEEDED. */
  responseMissing: boolean;
  /** Inserted after the fact by insertLateRows, with an old request_time. */
  late: boolean;
}

export type SeededTableKind =
  | "ai_gateway_payload"
  | "legacy_payload"
  | "unrelated"
  | "deprecated_request_logs";

export interface SeededTable {
  fullName: string;
  catalog: string;
  schema: string;
  name: string;
  kind: SeededTableKind;
  /** Serving endpoint whose traffic the table holds. */
  endpoint?: string;
  rowCount: number;
  /** Every row, when the table has at most `manifestRowLimit` rows; else omitted (query with ws.sql). */
  rows?: SeededRow[];
}

export interface SeedManifest {
  seed: number;
  /** The "now" request times were spread back from (epoch ms). */
  now: number;
  windowMinutes: number;
  catalog: string;
  schema: string;
  agents: AgentSpec[];
  tables: SeededTable[];
  sensitiveValues: SensitiveValue[];
}
