import type { Message } from "../contracts/message.js";
import type { Sink, WriteContext } from "../contracts/sink.js";

/** A sink whose behaviour per write is scripted by the test. */
export class ScriptedSink implements Sink {
  readonly type = "scripted";
  readonly calls: { ids: string[]; attempt: number; at: number }[] = [];
  readonly delivered: Message[] = [];
  constructor(
    private readonly behave: (
      batch: readonly Message[],
      ctx: WriteContext,
    ) => Promise<unknown> | unknown = () => undefined,
  ) {}
  async write(
    batch: readonly Message[],
    ctx: WriteContext,
  ): Promise<void | { failed: { index: number; error: Error }[] }> {
    this.calls.push({ ids: batch.map((m) => m.id), attempt: ctx.attempt, at: Date.now() });
    const result = (await this.behave(batch, ctx)) as void | { failed: { index: number; error: Error }[] };
    const failed = new Set(result ? result.failed.map((f) => f.index) : []);
    batch.forEach((m, i) => {
      if (!failed.has(i)) this.delivered.push(m);
    });
    return result;
  }
}
