/**
 * Entry of a transform worker thread (started by worker-pool-transform.ts): builds the transforms
 * with the module's factory, then runs every message of each batch through them, in order, and
 * answers with each message's outputs or failure.
 */

import { parentPort, workerData } from "node:worker_threads";
import { trace } from "@opentelemetry/api";
import type { ComponentContext, Logger } from "../contracts/context.js";
import type { Message } from "../contracts/message.js";
import { isPromiseLike, type Transform, type TransformResult } from "../contracts/transform.js";
import type { WorkerTransforms } from "./transform-worker-types.js";
import { CollectingMeter } from "./worker-meter.js";
import type {
  FromWorker,
  LogLevel,
  MessageResult,
  ToWorker,
  TransformWorkerData,
} from "./worker-protocol.js";
import { failureToWire, fromWire, toWire } from "./worker-wire.js";

const port = parentPort;
if (!port) throw new Error("transform-worker.ts runs only as a worker thread");
const data = workerData as TransformWorkerData;
const meter = new CollectingMeter();
const lifetime = new AbortController();
const post = (message: FromWorker) => port.postMessage(message);

function logger(component: string, bindings: Record<string, unknown> = {}): Logger {
  const at =
    (level: LogLevel) =>
    (obj: object, msg?: string): void =>
      post({
        type: "log",
        level,
        component,
        obj: { ...bindings, ...obj },
        ...(msg !== undefined ? { msg } : {}),
      });
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: (more) => logger(component, { ...bindings, ...more }),
  };
}

function contextFor(id: string): ComponentContext {
  return {
    componentId: `${data.poolId}/${id}`,
    logger: logger(`${data.poolId}/${id}`),
    meter: meter.meter,
    tracer: trace.getTracer("@pipekit/core/worker"),
    signal: lifetime.signal,
  };
}

interface Stage {
  readonly id: string;
  readonly transform: Transform;
  readonly ctx: ComponentContext;
}

/**
 * One message through every stage: its outputs, or the first failure. Synchronous while the
 * transforms are; the first promise hands the rest to {@link finishAsync}.
 */
function run(stages: readonly Stage[], message: Message): MessageResult | Promise<MessageResult> {
  let current: Message[] = [message];
  for (let s = 0; s < stages.length; s++) {
    const stage = stages[s]!;
    const next: Message[] = [];
    for (let m = 0; m < current.length; m++) {
      const input = current[m]!;
      let result: TransformResult<unknown> | Promise<TransformResult<unknown>>;
      try {
        result = stage.transform.transform(input, stage.ctx);
      } catch (error) {
        return { ok: false, failure: failureToWire(stage.id, error, input) };
      }
      if (isPromiseLike(result)) return finishAsync(stages, { s, m, current, next, pending: result });
      next.push(...asMessages(result));
    }
    current = next;
  }
  return { ok: true, outputs: current.map(toWire) };
}

/** The same walk as {@link run}, from where a transform returned a promise. */
async function finishAsync(
  stages: readonly Stage[],
  at: {
    s: number;
    m: number;
    current: Message[];
    next: Message[];
    pending: PromiseLike<TransformResult<unknown>>;
  },
): Promise<MessageResult> {
  let { current, next } = at;
  let pending: PromiseLike<TransformResult<unknown>> | undefined = at.pending;
  for (let s = at.s; s < stages.length; s++) {
    const stage = stages[s]!;
    for (let m = s === at.s ? at.m : 0; m < current.length; m++) {
      const input = current[m]!;
      try {
        const result = pending ?? stage.transform.transform(input, stage.ctx);
        pending = undefined;
        next.push(...asMessages(await result));
      } catch (error) {
        return { ok: false, failure: failureToWire(stage.id, error, input) };
      }
    }
    current = next;
    next = [];
  }
  return { ok: true, outputs: current.map(toWire) };
}

function asMessages(result: TransformResult<unknown>): Message[] {
  if (result === null || result === undefined) return [];
  if (Array.isArray(result)) return result as Message[];
  return [result as Message];
}

async function start(): Promise<Stage[]> {
  const module = (await import(data.module)) as Record<string, unknown>;
  const factory = module[data.exportName];
  if (typeof factory !== "function") {
    throw new TypeError(`module "${data.module}" exports no function "${data.exportName}"`);
  }
  const transforms = (await factory(data.options)) as WorkerTransforms;
  const stages = transforms.map((t) => ({ id: t.id, transform: t.transform, ctx: contextFor(t.id) }));
  for (const stage of stages) await stage.transform.open?.(stage.ctx);
  return stages;
}

try {
  const stages = await start();
  port.on("message", async (message: ToWorker) => {
    if (message.type === "close") {
      lifetime.abort();
      await Promise.allSettled(stages.map((s) => s.transform.close?.()));
      post({ type: "closed" });
      port.close();
      return;
    }
    const results: MessageResult[] = [];
    for (const wire of message.messages) {
      const result = run(stages, fromWire(wire));
      results.push(isPromiseLike(result) ? await result : result);
    }
    post({ type: "results", seq: message.seq, results, instruments: meter.take() });
  });
  post({ type: "ready" });
} catch (error) {
  const e = error instanceof Error ? error : new Error(String(error));
  post({ type: "open-failed", name: e.name, message: e.message });
  port.close();
}
