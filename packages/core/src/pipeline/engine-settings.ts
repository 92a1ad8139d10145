import { z } from "zod";
import type { CommitPolicy } from "../engine/checkpoint-committer.js";
import type { Budget } from "../engine/in-flight-budget.js";
import type { BatchPolicy } from "../engine/sink-runner.js";
import type { RetryPolicy } from "../retry/backoff.js";

/**
 * The engine's settings as schemas: the one declaration both the library (PipelineOptions) and the
 * runner's YAML (these very schemas, camelCase like every key of a pipeline file) use.
 * Every field is optional: what is left out takes the engine's default. Descriptions end up in the
 * runner's JSON schema and docs.
 */

export const batchSettingsSchema = z.strictObject({
  maxCount: z.int().positive().optional().describe("Flush a batch at this many messages."),
  maxBytes: z.int().positive().optional().describe("Flush a batch at this many bytes (serialised size)."),
  lingerMs: z
    .int()
    .nonnegative()
    .optional()
    .describe("How long the first message of a batch waits for more."),
}) satisfies z.ZodType<Partial<BatchPolicy>>;

export const retrySettingsSchema = z.strictObject({
  maxAttempts: z.int().positive().optional().describe("Total tries of a batch, the first included."),
  initialDelayMs: z.int().nonnegative().optional().describe("Ceiling of the first backoff (full jitter)."),
  maxDelayMs: z.int().positive().optional().describe("Largest backoff ceiling."),
  maxElapsedMs: z
    .int()
    .positive()
    .optional()
    .describe(
      "Give up on a batch (left for the next cycle, not dead-lettered) once retrying would last longer than this.",
    ),
  multiplier: z
    .number()
    .min(1)
    .optional()
    .describe("Growth of the backoff ceiling per failed try (default 2)."),
}) satisfies z.ZodType<Partial<RetryPolicy>>;

export const budgetSettingsSchema = z.strictObject({
  maxMessages: z
    .int()
    .positive()
    .optional()
    .describe("Messages read but not yet committed, at most (default 5000)."),
  maxBytes: z.int().positive().optional().describe("Bytes read but not yet committed, at most."),
}) satisfies z.ZodType<Partial<Budget>>;

export const checkpointSettingsSchema = z.strictObject({
  flushIntervalMs: z
    .int()
    .min(0)
    .optional()
    .describe(
      "Acknowledged positions are written at most this long after they became committable (default 1000).",
    ),
}) satisfies z.ZodType<Partial<CommitPolicy>>;

/** Engine settings of one sink (besides the sink's own config). */
export const sinkSettingsSchema = z.strictObject({
  batch: batchSettingsSchema.optional(),
  retry: retrySettingsSchema.optional(),
  concurrency: z
    .int()
    .positive()
    .optional()
    .describe("Batch writes in flight at once for this sink (default 1)."),
});

export type BatchSettings = z.output<typeof batchSettingsSchema>;
export type RetrySettings = z.output<typeof retrySettingsSchema>;
export type BudgetSettings = z.output<typeof budgetSettingsSchema>;
export type CheckpointSettings = z.output<typeof checkpointSettingsSchema>;
export type SinkSettings = z.output<typeof sinkSettingsSchema>;
