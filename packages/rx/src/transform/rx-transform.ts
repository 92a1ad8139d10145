import {
  type ComponentContext,
  deriveMessage,
  type Message,
  PoisonError,
  type Transform,
} from "@pipekit/core";
import type { TransformResult } from "@pipekit/core/advanced";
import { firstValueFrom, fromEvent, type OperatorFunction, of, take, takeUntil, toArray } from "rxjs";

export interface RxTransformOptions<O> {
  /** The transform's type name in metrics, logs and dead letters (default "rx"). */
  readonly type?: string;
  /** Outputs one message may have; more is poison (default 10,000), so memory stays bounded. */
  readonly maxOutputs?: number;
  /** Bytes of an output value for budgets (default: deriveMessage's rule). */
  readonly sizeOf?: (value: O) => number;
}

/**
 * Runs an rxjs operator on each message on its own: the message's value goes in as a one-value
 * Observable, and what comes out before it completes are the outputs (none drops the message, one
 * keeps its id, several are `<id>/<n>`). Every output inherits the input's acknowledgement, so the
 * source's checkpoint waits for all of them; an operator that errors dead-letters that message only.
 * Operators that keep state across values (scan, bufferCount…) see one value per run: they belong
 * in the Observable given to `fromObservable`, not here.
 */
export function rxTransform<I, O>(
  operator: OperatorFunction<I, O>,
  options: RxTransformOptions<O> = {},
): Transform<I, O> {
  const type = options.type ?? "rx";
  const maxOutputs = options.maxOutputs ?? 10_000;
  const derive = (message: Message<I>, value: O, id?: string): Message<O> => {
    const changes = {
      ...(id !== undefined ? { id } : {}),
      ...(options.sizeOf ? { sizeBytes: options.sizeOf(value) } : {}),
    };
    return deriveMessage(message, value, changes);
  };
  return {
    type,
    async transform(message: Message<I>, ctx: ComponentContext): Promise<TransformResult<O>> {
      const outputs = await firstValueFrom(
        of(message.value).pipe(
          operator,
          takeUntil(fromEvent(ctx.signal, "abort")),
          take(maxOutputs + 1),
          toArray(),
        ),
      );
      if (ctx.signal.aborted) throw new Error(`${type}: the pipeline stopped before the operator completed`);
      if (outputs.length > maxOutputs) {
        throw new PoisonError(`${type}: the operator emitted more than maxOutputs (${maxOutputs}) values`);
      }
      if (outputs.length === 0) return null;
      if (outputs.length === 1) return derive(message, outputs[0] as O);
      return outputs.map((value, n) => derive(message, value, `${message.id}/${n}`));
    },
  };
}
