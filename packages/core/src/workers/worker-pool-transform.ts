import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { Counter, Histogram, UpDownCounter } from "@opentelemetry/api";
import type { ComponentContext } from "../contracts/context.js";
import type { Message } from "../contracts/message.js";
import type { Transform } from "../contracts/transform.js";
import { FatalError, PoisonError } from "../errors/classified-errors.js";
import type {
  FromWorker,
  InstrumentRecord,
  MessageResult,
  ToWorker,
  TransformWorkerData,
} from "./worker-protocol.js";
import { failureFromWire, fromWire, toWire } from "./worker-wire.js";

export interface WorkerPoolTransformOptions {
  /**
   * The module that builds the transforms, as a URL (e.g. `new URL("./chain.js", import.meta.url)`)
   * or a bare package specifier. Each worker thread imports it and calls `exportName(options)`,
   * which returns the chain: `[{ id, transform }, ...]` (sync or async). The main thread imports it
   * too, so encoded kinds it defines (`defineEncodedKind`) can be rebuilt here.
   */
  readonly module: string | URL;
  /** Default "createTransforms". */
  readonly exportName?: string;
  /** Given to the factory in every worker; structured-cloneable (no functions, no class instances). */
  readonly options?: unknown;
  /** Worker threads (default 1). */
  readonly threads?: number;
  /** Messages sent to a worker at once (default 64): fewer messages between threads, less waiting. */
  readonly batchMessages?: number;
}

interface Waiting {
  readonly resolve: (outputs: Message[]) => void;
  readonly reject: (error: unknown) => void;
}

interface PooledWorker {
  readonly worker: Worker;
  readonly batches: Map<number, Waiting[]>;
  inFlight: number;
  closed: boolean;
}

/** Default messages per batch to a worker: large enough to amortise a postMessage, small enough to spread. */
const DEFAULT_BATCH_MESSAGES = 64;
/**
 * Batches each worker may hold at once. Generous: the main thread answers between its own work
 * (reading, Kafka), and a worker with nothing queued meanwhile sits idle (4 left it idle a third
 * of the e2e run).
 */
const BATCHES_PER_WORKER = 16;

/**
 * Runs a chain of transforms in worker threads, so transforms use more cores than the main one
 * (Benthos' `pipeline.threads`). To the pipeline it is one asynchronous transform: messages are
 * collected while the engine hands them over, sent in batches to the least busy worker, and each
 * one's outputs (or failure) come back in order. The engine lets `concurrency` messages be in
 * flight, so every worker always has its next batch queued.
 *
 * What crosses threads is plain data (structured clone): a message's value, meta and encoded text.
 * A transform's log lines and metrics are relayed to the main thread's logger and meter; a message
 * a transform rejects is dead-lettered as that transform saw it, under its id. A worker that stops
 * unexpectedly fails the cycle (FatalError): nothing it held is acknowledged, so nothing is lost.
 */
export function workerPoolTransform(options: WorkerPoolTransformOptions): WorkerPoolTransform {
  return new WorkerPool(options);
}

/** The pool as a transform: always asynchronous, always an array of outputs. */
export interface WorkerPoolTransform extends Transform {
  /** Messages in flight that keep every worker's queue full (the engine allows at least this many). */
  readonly concurrency: number;
  open(ctx: ComponentContext): Promise<void>;
  transform(message: Message): Promise<Message[]>;
  close(): Promise<void>;
}

class WorkerPool implements WorkerPoolTransform {
  readonly type = "worker_pool";
  readonly concurrency: number;
  private readonly threads: number;
  private readonly batchMessages: number;
  private readonly module: string;
  private readonly exportName: string;
  private workers: PooledWorker[] = [];
  private queue: { message: Message; waiting: Waiting }[] = [];
  private flushScheduled = false;
  private seq = 0;
  private failure: FatalError | undefined;
  private ctx: ComponentContext | undefined;
  private readonly instruments = new Map<string, Counter | UpDownCounter | Histogram>();

  constructor(private readonly options: WorkerPoolTransformOptions) {
    this.threads = options.threads ?? 1;
    this.batchMessages = options.batchMessages ?? DEFAULT_BATCH_MESSAGES;
    if (!Number.isInteger(this.threads) || this.threads < 1) {
      throw new RangeError(`workerPoolTransform: threads must be a positive integer, got ${this.threads}`);
    }
    if (!Number.isInteger(this.batchMessages) || this.batchMessages < 1) {
      throw new RangeError(
        `workerPoolTransform: batchMessages must be a positive integer, got ${this.batchMessages}`,
      );
    }
    this.module = String(options.module);
    this.exportName = options.exportName ?? "createTransforms";
    this.concurrency = this.threads * this.batchMessages * BATCHES_PER_WORKER;
  }

  async open(ctx: ComponentContext): Promise<void> {
    this.ctx = ctx;
    // Here too: the module may define encoded kinds that outputs are rebuilt with.
    await import(this.module);
    const data: TransformWorkerData = {
      module: this.module,
      exportName: this.exportName,
      options: this.options.options,
      poolId: ctx.componentId,
    };
    const started = Array.from({ length: this.threads }, () => this.startWorker(data));
    this.workers = started.map((s) => s.pooled);
    const outcomes = await Promise.allSettled(started.map((s) => s.ready));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
    if (failed) {
      await this.close();
      throw failed.reason;
    }
  }

  transform(message: Message): Promise<Message[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.workers.length === 0) {
      return Promise.reject(
        new FatalError("workerPoolTransform: transform() before open() or after close()"),
      );
    }
    return new Promise<Message[]>((resolve, reject) => {
      this.queue.push({ message, waiting: { resolve, reject } });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.closed) return resolve();
            w.closed = true;
            const timer = setTimeout(() => void w.worker.terminate(), 5_000);
            w.worker.once("exit", () => {
              clearTimeout(timer);
              resolve();
            });
            w.worker.postMessage({ type: "close" } satisfies ToWorker);
          }),
      ),
    );
  }

  private startWorker(data: TransformWorkerData): { pooled: PooledWorker; ready: Promise<void> } {
    const worker = FROM_SOURCES
      ? // From TypeScript sources (tests, `--conditions=@pipekit/source`) the worker registers tsx
        // itself: a loader registered with --import in the parent does not reach a worker's entry.
        new Worker(
          `import(${JSON.stringify(tsxApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerEntry().href)}); })`,
          { eval: true, workerData: data, execArgv: ["--conditions=@pipekit/source"] },
        )
      : new Worker(workerEntry(), { workerData: data });
    const pooled: PooledWorker = { worker, batches: new Map(), inFlight: 0, closed: false };
    const ready = new Promise<void>((resolve, reject) => {
      worker.on("message", (message: FromWorker) => {
        switch (message.type) {
          case "ready":
            return resolve();
          case "open-failed":
            return reject(
              new FatalError(
                `worker thread could not build its transforms: ${message.name}: ${message.message}`,
              ),
            );
          case "results":
            return this.settle(pooled, message.seq, message.results, message.instruments);
          case "log":
            return this.ctx?.logger[message.level](
              { ...message.obj, component: message.component },
              message.msg,
            );
          case "closed":
            return undefined;
        }
      });
      worker.on("error", (error) => {
        reject(error);
        this.workerStopped(pooled, `failed: ${error.message}`);
      });
      worker.on("exit", (code) => {
        reject(new FatalError(`worker thread exited with code ${code} before it was ready`));
        if (!pooled.closed) this.workerStopped(pooled, `exited with code ${code}`);
      });
    });
    return { pooled, ready };
  }

  private flush(): void {
    this.flushScheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchMessages);
      const target = this.leastBusy();
      if (!target) {
        const error = this.failure ?? new FatalError("workerPoolTransform: no worker thread is running");
        for (const entry of batch) entry.waiting.reject(error);
        continue;
      }
      if (this.send(target, batch)) continue;
      // Something in the batch cannot be cloned (a function, a class with private state…): each
      // message alone, so only that one is rejected (as poison: the data is what is wrong).
      for (const entry of batch) {
        if (!this.send(target, [entry])) {
          entry.waiting.reject(
            new PoisonError(
              `message "${entry.message.id}" cannot be passed to a worker thread (not plain data)`,
            ),
          );
        }
      }
    }
  }

  private send(target: PooledWorker, batch: readonly { message: Message; waiting: Waiting }[]): boolean {
    const seq = this.seq++;
    try {
      const messages = batch.map((entry) => toWire(entry.message));
      target.worker.postMessage({ type: "batch", seq, messages } satisfies ToWorker);
    } catch {
      return false;
    }
    target.batches.set(
      seq,
      batch.map((entry) => entry.waiting),
    );
    target.inFlight += batch.length;
    return true;
  }

  private leastBusy(): PooledWorker | undefined {
    let best: PooledWorker | undefined;
    for (const w of this.workers) if (!w.closed && (!best || w.inFlight < best.inFlight)) best = w;
    return best;
  }

  private settle(
    pooled: PooledWorker,
    seq: number,
    results: readonly MessageResult[],
    instruments: readonly InstrumentRecord[],
  ): void {
    const waiting = pooled.batches.get(seq);
    if (!waiting) return;
    pooled.batches.delete(seq);
    pooled.inFlight -= waiting.length;
    for (const record of instruments) this.record(record);
    for (let i = 0; i < waiting.length; i++) {
      const result = results[i]!;
      try {
        if (result.ok) waiting[i]!.resolve(result.outputs.map(fromWire));
        else waiting[i]!.reject(failureFromWire(result.failure));
      } catch (error) {
        waiting[i]!.reject(error);
      }
    }
  }

  private record(record: InstrumentRecord): void {
    const meter = this.ctx?.meter;
    if (!meter) return;
    const key = `${record.kind}\u0000${record.name}`;
    let instrument = this.instruments.get(key);
    if (!instrument) {
      const options = {
        ...(record.description ? { description: record.description } : {}),
        ...(record.unit ? { unit: record.unit } : {}),
      };
      instrument =
        record.kind === "counter"
          ? meter.createCounter(record.name, options)
          : record.kind === "upDownCounter"
            ? meter.createUpDownCounter(record.name, options)
            : meter.createHistogram(record.name, options);
      this.instruments.set(key, instrument);
    }
    for (const value of record.values) {
      if ("add" in instrument) instrument.add(value, record.attributes);
      else instrument.record(value, record.attributes);
    }
  }

  /** A worker is gone with messages in it: they can no longer be answered, so the cycle must fail. */
  private workerStopped(pooled: PooledWorker, how: string): void {
    pooled.closed = true;
    const error = new FatalError(`transform worker thread ${how}; its messages stay unacknowledged`);
    this.failure ??= error;
    for (const waiting of pooled.batches.values()) for (const w of waiting) w.reject(error);
    pooled.batches.clear();
    pooled.inFlight = 0;
  }
}

const FROM_SOURCES = import.meta.url.endsWith(".ts");

/** The worker's entry next to this file: .ts from sources, .js from dist. */
function workerEntry(): URL {
  return new URL(`./transform-worker${FROM_SOURCES ? ".ts" : ".js"}`, import.meta.url);
}

/** tsx's register API, found from this file (only when running from sources, inside the repo). */
function tsxApi(): string {
  const packageJson = createRequire(import.meta.url).resolve("tsx/package.json");
  return pathToFileURL(join(dirname(packageJson), "dist/esm/api/index.mjs")).href;
}
