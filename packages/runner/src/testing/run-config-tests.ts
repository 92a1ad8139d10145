import { metrics, trace } from "@opentelemetry/api";
import {
  type ComponentContext,
  createMessage,
  type Logger,
  type Message,
  type Transform,
} from "@pipekit/core";
import { diff } from "jest-diff";
import type { ConfigTest } from "../config/pipeline-config-schema.js";
import type { ValidatedPipeline } from "../config/validate-config.js";

export interface ConfigTestResult {
  readonly name: string;
  readonly passed: boolean;
  /** Why it failed, with an expected-vs-actual diff where there is one. */
  readonly failures: readonly string[];
  readonly outputs: readonly unknown[];
  readonly deadLetters: readonly {
    readonly input: number;
    readonly transform: string;
    readonly error: string;
  }[];
}

/**
 * Runs the `tests:` of a pipeline file: each test's input messages go through the pipeline's real
 * transforms (all, or the listed ones, in order); the source and sinks are not used at all, so a
 * test needs no credentials or network. A transform that throws dead-letters that input, as in a
 * real run.
 */
export async function runConfigTests(
  pipeline: ValidatedPipeline,
  logger: Logger,
): Promise<ConfigTestResult[]> {
  const results: ConfigTestResult[] = [];
  for (const test of pipeline.config.tests) {
    const indexes =
      test.transforms === undefined || test.transforms === "all"
        ? pipeline.transforms.map((_, i) => i)
        : test.transforms;
    const failures: string[] = [];
    const missing = indexes.filter((i) => !pipeline.transforms[i]);
    if (missing.length > 0) {
      results.push({
        name: test.name,
        passed: false,
        failures: [
          `transforms ${missing.join(", ")} do not exist (the pipeline has ${pipeline.transforms.length})`,
        ],
        outputs: [],
        deadLetters: [],
      });
      continue;
    }
    const stages: { id: string; transform: Transform; ctx: ComponentContext }[] = [];
    const abort = new AbortController();
    for (const i of indexes) {
      const resolved = pipeline.transforms[i] as ValidatedPipeline["transforms"][number];
      const transform = await resolved.definition.create(resolved.config as never, {
        logger,
        baseDir: pipeline.baseDir,
      });
      const ctx: ComponentContext = {
        componentId: resolved.id,
        logger: logger.child({ component: resolved.id }),
        meter: metrics.getMeter("pipekit-test"),
        tracer: trace.getTracer("pipekit-test"),
        signal: abort.signal,
      };
      await transform.open?.(ctx);
      stages.push({ id: resolved.id, transform, ctx });
    }
    const outputs: unknown[] = [];
    const deadLetters: ConfigTestResult["deadLetters"][number][] = [];
    try {
      for (const [n, input] of test.input.entries()) {
        let batch: Message[] = [createMessage(input.id ?? `test-${n}`, input.value, input.meta ?? {})];
        for (const stage of stages) {
          const next: Message[] = [];
          for (const message of batch) {
            try {
              const out = await stage.transform.transform(message, stage.ctx);
              if (Array.isArray(out)) next.push(...(out as Message[]));
              else if (out) next.push(out as Message);
            } catch (error) {
              deadLetters.push({ input: n, transform: stage.id, error: (error as Error).message });
            }
          }
          batch = next;
        }
        outputs.push(...batch.map((m) => m.value));
      }
    } finally {
      abort.abort();
      for (const stage of stages) await stage.transform.close?.();
    }
    failures.push(...check(test, outputs, deadLetters.length));
    results.push({ name: test.name, passed: failures.length === 0, failures, outputs, deadLetters });
  }
  return results;
}

function check(test: ConfigTest, outputs: readonly unknown[], deadLettered: number): string[] {
  const failures: string[] = [];
  const plain = JSON.parse(JSON.stringify(outputs)) as unknown[];
  if (test.expect !== undefined && !deepEqual(plain, test.expect)) {
    failures.push(
      `outputs differ from expect:\n${diff(test.expect, plain, { aAnnotation: "Expected", bAnnotation: "Actual", expand: false }) ?? ""}`,
    );
  }
  if (test.expectCount !== undefined && outputs.length !== test.expectCount) {
    failures.push(`expected ${test.expectCount} output message(s), got ${outputs.length}`);
  }
  for (const wanted of test.expectContains ?? []) {
    if (!plain.some((value) => isSubset(wanted, value))) {
      failures.push(
        `no output contains:\n${JSON.stringify(wanted, null, 2)}\nactual outputs:\n${JSON.stringify(plain, null, 2)}`,
      );
    }
  }
  if (test.expectDeadLetters !== undefined && deadLettered !== test.expectDeadLetters) {
    failures.push(`expected ${test.expectDeadLetters} dead-lettered input(s), got ${deadLettered}`);
  }
  return failures;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return isSubset(a, b) && isSubset(b, a);
}

/** Every key of `wanted` is in `actual` with a matching value (recursively); lists match item by item. */
function isSubset(wanted: unknown, actual: unknown): boolean {
  if (Array.isArray(wanted)) {
    return (
      Array.isArray(actual) &&
      wanted.length === actual.length &&
      wanted.every((w, i) => isSubset(w, actual[i]))
    );
  }
  if (typeof wanted === "object" && wanted !== null) {
    if (typeof actual !== "object" || actual === null || Array.isArray(actual)) return false;
    return Object.entries(wanted).every(([k, v]) => isSubset(v, (actual as Record<string, unknown>)[k]));
  }
  return Object.is(wanted, actual);
}
