/** A row that cannot become an AgentExecution; it goes to the dead-letter path, not a crash. */
export class RowParseError extends Error {
  override readonly name = "RowParseError";
  constructor(
    readonly reason: string,
    /** databricks_request_id / trace_id when the row had one. */
    readonly requestId: string | undefined,
  ) {
    super(`Cannot parse row${requestId ? ` ${requestId}` : ""}: ${reason}`);
  }
}
