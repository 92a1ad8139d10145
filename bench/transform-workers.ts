import { type ComponentContext, type Message, silentLogger } from "@pipekit/core";
import { workerPoolTransform } from "@pipekit/core/advanced";
import { createTransforms } from "./support/e2e-transform-chain.js";
import { normaliseSeeded, seedRows } from "./support/seed-rows.js";

const ROWS = 40_000;
const ROUNDS = 3;
const CHAIN_MODULE = new URL("./support/e2e-transform-chain.ts", import.meta.url);

const noop = { add() {}, record() {} };
const ctx = {
  componentId: "bench.transform_workers",
  logger: silentLogger,
  meter: {
    createCounter: () => noop,
    createUpDownCounter: () => noop,
    createHistogram: () => noop,
  } as unknown as ComponentContext["meter"],
  tracer: {} as ComponentContext["tracer"],
  signal: new AbortController().signal,
} as ComponentContext;

async function inline(messages: readonly Message[]): Promise<number> {
  const [redact, mapping] = createTransforms();
  await redact!.transform.open?.(ctx);
  const started = performance.now();
  let records = 0;
  for (const m of messages) {
    const redacted = redact!.transform.transform(m, ctx) as Message;
    records += (mapping!.transform.transform(redacted, ctx) as Message[]).length;
  }
  if (records === 0) throw new Error("the chain produced no records");
  return messages.length / ((performance.now() - started) / 1000);
}

/** Keeps as many messages in flight as the pool asks for, as the engine does. */
async function pooled(messages: readonly Message[], threads: number): Promise<number> {
  const pool = workerPoolTransform({ module: CHAIN_MODULE, threads });
  await pool.open(ctx);
  try {
    const started = performance.now();
    let next = 0;
    let records = 0;
    await new Promise<void>((done, fail) => {
      let active = 0;
      const pump = () => {
        while (active < pool.concurrency && next < messages.length) {
          active++;
          pool.transform(messages[next++]!).then((outputs) => {
            records += outputs.length;
            active--;
            if (next >= messages.length && active === 0) done();
            else pump();
          }, fail);
        }
      };
      pump();
    });
    if (records === 0) throw new Error("the pool produced no records");
    return messages.length / ((performance.now() - started) / 1000);
  } finally {
    await pool.close();
  }
}

async function best(measure: () => Promise<number>): Promise<number> {
  await measure(); // warm-up
  let top = 0;
  for (let round = 0; round < ROUNDS; round++) top = Math.max(top, await measure());
  return Math.round(top);
}

export async function run(): Promise<Record<string, number>> {
  const messages = normaliseSeeded(seedRows(ROWS, 7));
  const transformChainRowsPerSec = await best(() => inline(messages));
  const transformWorkers1RowsPerSec = await best(() => pooled(messages, 1));
  const transformWorkers2RowsPerSec = await best(() => pooled(messages, 2));
  return {
    transformChainRowsPerSec,
    transformWorkers1RowsPerSec,
    transformWorkers2RowsPerSec,
    transformWorkersSpeedup2: Number((transformWorkers2RowsPerSec / transformChainRowsPerSec).toFixed(2)),
  };
}
