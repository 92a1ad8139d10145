import type { AgentSpec } from "./agents.js";
import type { SensitiveValue } from "./sensitive-data.js";

/** One seeded payload row (or trace: id = trace_id), as tests need to assert on it. */
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
  | "ai_gateway_beta_payload"
  | "legacy_payload"
  /** MLflow 3 traces in Unity Catalog: v1 span table, v2 span table, the v2 unified view. */
  | "uc_trace_spans_v1"
  | "uc_trace_spans_v2"
  | "uc_trace_unified_view"
  /** Trace tables that hold no executions (logs, annotations, the metadata view). */
  | "uc_trace_auxiliary"
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
  /** MLflow experiment traces served over REST (ids, times), when seeded. */
  experimentTraces?: {
    id: string;
    experimentId: string;
    requestTime: number;
    toolCalls: number;
    /** Its span data has a span without a name. */
    malformed: boolean;
    late: boolean;
  }[];
}

/** Execution surfaces beyond the default payload tables; each is opt-in (tests count seeded rows). */
export type SeedSurface = "ai-gateway-beta" | "uc-traces-v1" | "uc-traces-v2" | "experiment-traces";
