import type { ToolCall } from "@pipekit/agent-execution";

/**
 * Collects tool calls in the order the model made them and pairs each with its result, whatever
 * format announced them (ChatAgent/OpenAI `tool_calls` + `tool` messages, Responses
 * `function_call` + `function_call_output`, trace TOOL spans).
 */
export class ToolCallCollector {
  private readonly calls = new Map<string, ToolCall>();
  /** Results seen before their call (possible in hand-built histories). */
  private readonly orphanResults = new Map<string, string>();

  addCall(id: string, name: string, args: string): void {
    const existing = this.calls.get(id);
    const call: ToolCall = existing ? { ...existing, name, arguments: args } : { id, name, arguments: args };
    const orphan = this.orphanResults.get(id);
    if (orphan !== undefined && call.result === undefined) {
      call.result = orphan;
      this.orphanResults.delete(id);
    }
    this.calls.set(id, call);
  }

  addResult(id: string, result: string): void {
    const call = this.calls.get(id);
    if (call) call.result = result;
    else this.orphanResults.set(id, result);
  }

  /**
   * A tool span from a trace: it adds timing (and failure) to the first call of the same name that
   * has none yet, or becomes a call of its own when no message announced it.
   */
  addSpan(span: {
    id: string;
    name: string;
    args: string;
    result: string | undefined;
    startTime: number | undefined;
    durationMs: number | undefined;
    error: string | undefined;
  }): void {
    const match = [...this.calls.values()].find((c) => c.name === span.name && c.startTime === undefined);
    const target: ToolCall = match ?? { id: span.id, name: span.name, arguments: span.args };
    if (target.result === undefined && span.result !== undefined) target.result = span.result;
    if (span.startTime !== undefined) target.startTime = span.startTime;
    if (span.durationMs !== undefined) target.durationMs = span.durationMs;
    if (span.error !== undefined) target.error = span.error;
    if (!match) this.calls.set(span.id, target);
  }

  get size(): number {
    return this.calls.size;
  }

  toArray(): ToolCall[] {
    return [...this.calls.values()];
  }
}
