import {
  batchSettingsSchema,
  budgetSettingsSchema,
  checkpointSettingsSchema,
  retrySettingsSchema,
  sinkSettingsSchema,
} from "@pipekit/core/advanced";
import { z } from "zod";
import { clusterConfigSchema } from "../cluster/cluster-config.js";

/** Most worker threads `transformWorkers` may ask for. */
export const MAX_TRANSFORM_WORKERS = 64;

import { telemetryConfigSchema } from "../telemetry/telemetry-config.js";

/**
 * The runner's own part of a pipeline file. Every key of the file is camelCase: the components' zod
 * schemas (camelCase, being the library's option types too) and core's engine settings are used as
 * they are, so each setting is declared once with no renaming layer; the runner's own keys follow.
 * Component entries are checked against the registry separately, so here they only need a `type`.
 */

const componentEntry = z.looseObject({
  type: z.string().min(1),
});

/** Keys of a sink entry that belong to the engine (batching, retries, concurrency), not the sink. */
export const SINK_ENGINE_KEYS = ["id", "type", ...Object.keys(sinkSettingsSchema.shape)];

const sinkEntry = z.looseObject({
  id: z.string().min(1).optional(),
  type: z.string().min(1),
  batch: batchSettingsSchema.optional(),
  retry: retrySettingsSchema.optional(),
  concurrency: sinkSettingsSchema.shape.concurrency,
});

const scheduleSchema = z
  .strictObject({
    intervalSeconds: z.number().positive().optional(),
    cron: z.string().min(1).optional(),
    once: z.literal(true).optional(),
    /**
     * One-shot runs (`once`, or `run --once`): stop reading this many seconds after the start, drain
     * for up to shutdown.drainTimeoutSeconds, commit, and leave the rest for the next run. Without
     * it a one-shot run reads until the source ends.
     */
    deadlineSeconds: z.number().positive().optional(),
  })
  .superRefine((value, ctx) => {
    const chosen = ["intervalSeconds", "cron", "once"].filter(
      (k) => value[k as keyof typeof value] !== undefined,
    );
    if (chosen.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message: `expected exactly one of intervalSeconds, cron, once; found ${chosen.length === 0 ? "none" : chosen.join(", ")}`,
      });
    }
  });

const testInput = z.strictObject({
  id: z.string().optional(),
  value: z.unknown(),
  meta: z.record(z.string(), z.unknown()).optional(),
});

export const configTestSchema = z
  .strictObject({
    name: z.string().min(1),
    input: z.array(testInput).min(1),
    /** Which transforms to run: all of them (default) or the listed indexes, in order. */
    transforms: z.union([z.literal("all"), z.array(z.int().nonnegative())]).optional(),
    expect: z.array(z.unknown()).optional(),
    expectCount: z.int().nonnegative().optional(),
    /** Each listed object must deep-match (as a subset) at least one output value. */
    expectContains: z.array(z.unknown()).optional(),
    /** Number of inputs that a transform must reject (dead-letter). */
    expectDeadLetters: z.int().nonnegative().optional(),
  })
  .superRefine((value, ctx) => {
    const kinds = [value.expect, value.expectCount, value.expectContains, value.expectDeadLetters];
    if (kinds.every((k) => k === undefined)) {
      ctx.addIssue({
        code: "custom",
        message: "a test needs at least one of expect, expectCount, expectContains, expectDeadLetters",
      });
    }
  });

export const pipelineConfigSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_.-]+$/, "expected letters, digits, '.', '_' or '-'"),
  description: z.string().optional(),
  source: componentEntry,
  transforms: z.array(componentEntry).default([]),
  sinks: z.array(sinkEntry).min(1),
  deadLetter: z.strictObject({ path: z.string().min(1) }).optional(),
  checkpoints: checkpointSettingsSchema
    .extend({
      /** The checkpoint file (an append-only log, see docs/checkpoints.md); in memory when absent. */
      path: z.string().min(1).optional(),
    })
    .optional(),
  budget: budgetSettingsSchema.optional(),
  transformWorkers: z
    .int()
    .min(0)
    .max(MAX_TRANSFORM_WORKERS)
    .optional()
    .describe(
      "Worker threads that run the whole transform chain (default 0: on the main thread). Helps when transforms are the bottleneck and cores are spare.",
    ),
  schedule: scheduleSchema.default({ once: true }),
  http: z
    .strictObject({
      port: z.int().min(0).max(65535),
      host: z.string().optional(),
    })
    .optional(),
  shutdown: z.strictObject({ drainTimeoutSeconds: z.number().positive().default(30) }).optional(),
  logging: z.strictObject({ level: z.enum(["debug", "info", "warn", "error"]).default("info") }).optional(),
  /** Traces and metrics export (OTEL_* variables win over it). */
  telemetry: telemetryConfigSchema.optional(),
  plugins: z.array(z.string().min(1)).default([]),
  tests: z.array(configTestSchema).default([]),
  /** Share the work with other instances through Kafka (off when absent). */
  cluster: clusterConfigSchema.optional(),
});

export type PipelineConfig = z.output<typeof pipelineConfigSchema>;
export type ConfigTest = z.output<typeof configTestSchema>;
export type ComponentEntry = z.output<typeof componentEntry>;
export type SinkEntry = z.output<typeof sinkEntry>;
export type ScheduleConfig = z.output<typeof scheduleSchema>;
