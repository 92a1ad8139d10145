/** The request id of an agent record, or undefined for a tool-call record (or one without the header). */
export function executionIdOf(record: Readonly<Record<string, unknown>>): string | undefined {
  const raw = record.requestHeaders;
  if (typeof raw !== "string") return undefined;
  let headers: Record<string, unknown>;
  try {
    headers = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  // Tool calls travel as their own records, linked to the execution by this header.
  if (headers["x-akto-parent-request-id"] !== undefined) return undefined;
  const id = headers["x-databricks-request-id"];
  return typeof id === "string" ? id : undefined;
}

/** Execution ids of Akto records, in arrival order (repeats kept: they are the duplicates). */
export function executionIds(records: Iterable<Readonly<Record<string, unknown>>>): string[] {
  const ids: string[] = [];
  for (const record of records) {
    const id = executionIdOf(record);
    if (id !== undefined) ids.push(id);
  }
  return ids;
}

/** How many deliveries beyond the first, over all ids. */
export function duplicateCount(ids: readonly string[]): number {
  return ids.length - new Set(ids).size;
}
