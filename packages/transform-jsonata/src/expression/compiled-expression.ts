import { type Message, PoisonError } from "@pipekit/core";
import jsonata from "jsonata";

/**
 * Bounds every evaluation: a JSONata expression is user code run on every message, so a runaway
 * recursion or a huge generated sequence must fail that message instead of the process.
 */
export interface EvaluationLimits {
  readonly timeoutMs: number;
  /** Deepest evaluation stack (recursive functions). */
  readonly maxDepth: number;
  /** Longest sequence (array) an evaluation may build. */
  readonly maxSequence: number;
}

export const defaultLimits: EvaluationLimits = { timeoutMs: 1000, maxDepth: 500, maxSequence: 100_000 };

/** A JSONata syntax error, where it is in the expression text. */
export interface ExpressionSyntaxError {
  readonly message: string;
  /** 0-based offset in the expression where JSONata stopped; undefined when it does not say. */
  readonly position: number | undefined;
}

interface JsonataErrorLike {
  readonly code?: string;
  readonly message?: string;
  readonly position?: number;
}

/** The syntax error of `text`, or undefined when it parses. Used by the config check (`pipeline validate`). */
export function syntaxErrorOf(text: string): ExpressionSyntaxError | undefined {
  try {
    jsonata(text);
    return undefined;
  } catch (error) {
    const e = error as JsonataErrorLike;
    return { message: describe(e), position: typeof e.position === "number" ? e.position : undefined };
  }
}

/**
 * The compiled expression of one transform, evaluated against a message's value with `$id` and
 * `$meta` bound, within `defaultLimits` (the timeout may be the transform's own).
 */
export class CompiledExpression {
  private readonly expression: jsonata.Expression;

  constructor(
    readonly text: string,
    /** The transform's type: the prefix of its failures' reasons, e.g. "filter: T1006: …". */
    private readonly transformType: string,
    timeoutMs = defaultLimits.timeoutMs,
  ) {
    this.expression = jsonata(text, {
      timeout: timeoutMs,
      stack: defaultLimits.maxDepth,
      sequence: defaultLimits.maxSequence,
    });
  }

  /**
   * The result (undefined when the expression selects nothing). A failure rejects with a
   * PoisonError in JSONata's words: that message is dead-lettered with the reason, the pipeline goes on.
   */
  async evaluate(message: Message): Promise<unknown> {
    try {
      return await this.expression.evaluate(message.value, { id: message.id, meta: message.meta });
    } catch (error) {
      throw new PoisonError(`${this.transformType}: ${describe(error as JsonataErrorLike)}`, {
        cause: error,
      });
    }
  }
}

/** "<code>: <message> (at character <n>)": JSONata's own words, with where it happened. */
function describe(error: JsonataErrorLike): string {
  const code = error.code ? `${error.code}: ` : "";
  const at = typeof error.position === "number" ? ` (at character ${error.position})` : "";
  return `${code}${error.message ?? String(error)}${at}`;
}
