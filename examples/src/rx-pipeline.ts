// rxjs in and out of a pipeline: a paged API read as a pulled Observable (it fetches a page only when
// the pipeline has room for it), an rxjs operator as a transform, and the pipeline's deliveries and
// dead letters as streams. `agentsByCallCount` shows the Databricks source as an Observable.
import type { CycleReport } from "@pipekit/core";
import { MemorySink } from "@pipekit/core/builtins";
import { fromObservable, rxTransform, toObservable } from "@pipekit/rx";
import { databricksExecutions$ } from "@pipekit/rx/databricks";
import type { DatabricksSourceConfigInput } from "@pipekit/source-databricks";
import { concatMap, from, lastValueFrom, map, mergeMap, of, reduce, takeWhile, tap, throwError } from "rxjs";

export interface Ticket {
  readonly id: number;
  readonly title: string;
  readonly priority: number;
}

/** A paged HTTP API stand-in: `limit` tickets from `offset`, an empty page at the end. */
export type FetchPage = (offset: number, limit: number) => Promise<readonly Ticket[]>;

export interface RxExampleResult {
  readonly report: CycleReport;
  /** What the sink accepted, in order, as `delivered$` reported it. */
  readonly delivered: readonly string[];
  /** Dead letters as `deadLetters$` reported them: id and reason. */
  readonly deadLetters: readonly { id: string; reason: string }[];
  /** Pages fetched: the pipeline asked for each one. */
  readonly pages: number;
}

export async function rxExample(
  fetchPage: FetchPage,
  options: { pageSize?: number } = {},
): Promise<RxExampleResult> {
  let offset = 0;
  let pages = 0;
  // Pulled: `demand` emits once per chunk the engine asks for; each demand fetches one page, and
  // the empty page completes the Observable (the end of the pass).
  const source = fromObservable<Ticket>(
    (demand) =>
      demand.pipe(
        concatMap((limit) => fetchPage(offset, limit)),
        tap((page) => {
          pages++;
          offset += page.length;
        }),
        takeWhile((page) => page.length > 0),
        concatMap((page) => from(page)),
      ),
    { type: "tickets", chunkSize: options.pageSize ?? 50, id: (t) => `ticket-${t.id}` },
  );
  // An operator per message: urgent tickets become two messages (one for on-call), a ticket without
  // a title is an error and goes to the dead letters with its reason.
  const triage = rxTransform<Ticket, Ticket & { route: string }>((tickets) =>
    tickets.pipe(
      mergeMap((t) =>
        t.title.trim() === ""
          ? throwError(() => new Error("a ticket needs a title"))
          : t.priority >= 4
            ? of({ ...t, route: "queue" }, { ...t, route: "on-call" })
            : of({ ...t, route: "queue" }),
      ),
    ),
  );
  const observed = toObservable({
    id: "tickets",
    source,
    transforms: [triage],
    sinks: [{ id: "routed", sink: new MemorySink(), batch: { maxCount: 20, lingerMs: 0 } }],
    deadLetter: new MemorySink(),
    budget: { maxMessages: 100 },
  });
  const delivered: string[] = [];
  const deadLetters: { id: string; reason: string }[] = [];
  observed.delivered$.subscribe((d) => delivered.push(d.message.id));
  observed.deadLetters$.subscribe((r) => deadLetters.push({ id: r.message.id, reason: r.error.message }));
  const report = await lastValueFrom(observed.run());
  return { report, delivered, deadLetters, pages };
}

/** One pass over a Databricks workspace: how many tool calls each agent made. */
export function agentsByCallCount(config: DatabricksSourceConfigInput): Promise<Record<string, number>> {
  return lastValueFrom(
    databricksExecutions$(config).pipe(
      map((execution) => [execution.agent.endpoint, execution.toolCalls.length] as const),
      reduce<readonly [string, number], Record<string, number>>((counts, [agent, calls]) => {
        counts[agent] = (counts[agent] ?? 0) + calls;
        return counts;
      }, {}),
    ),
  );
}
