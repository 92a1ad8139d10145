import { parseConfig } from "@pipekit/core";
import { isSupportedCountry } from "libphonenumber-js/max";
import { z } from "zod";
import { BLOCKED_KEY, DETECTOR_IDS } from "../detectors/detector-ids.js";

/**
 * Key names whose values are secrets whatever they look like. Matching ignores case and the
 * separators - _ . and space, and a key matches when it ENDS with one of these ("db_password",
 * "githubToken"), so usage counters such as "maxTokens" or "promptTokens" are not blocked.
 */
export const DEFAULT_BLOCK_KEYS: readonly string[] = [
  "password",
  "passwd",
  "pwd",
  "passphrase",
  "secret",
  "clientSecret",
  "secretKey",
  "token",
  "apiKey",
  "accessKey",
  "privateKey",
  "credential",
  "credentials",
  "cookie",
  "setCookie",
  "sessionId",
];

/**
 * Identity fields of an AgentExecution: the Akto mapping needs them verbatim (they name the agent,
 * the request, the table), and they never carry personal data.
 */
export const DEFAULT_SKIP_PATHS: readonly string[] = [
  "requestId",
  "clientRequestId",
  "table",
  "workspace",
  "agent.*",
  "startTime",
  "statusCode",
];

export const redactionModeSchema = z.enum(["mask", "hmac", "remove"]);

const detectorSettingsSchema = z.strictObject({
  mode: redactionModeSchema.optional(),
  /** Absent means on (unless `only` leaves the detector out); kept optional to tell "said so" apart. */
  enabled: z.boolean().optional(),
});

const customDetectorSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/, "must be UPPER_SNAKE_CASE (it appears in tokens such as [REDACTED:NAME])"),
  pattern: z.string().min(1),
  flags: z
    .string()
    .regex(/^[imsu]*$/, "only the flags i, m, s and u are allowed")
    .optional(),
  mode: redactionModeSchema.optional(),
  validator: z.enum(["none", "luhn", "mod97"]).default("none"),
});

const MIN_HMAC_KEY = 16;

export const redactConfigSchema = z
  .strictObject({
    /** Per-detector mode or `enabled: false`; keys are DETECTOR_IDS and BLOCKED_KEY. */
    detectors: z.partialRecord(z.enum([...DETECTOR_IDS, BLOCKED_KEY]), detectorSettingsSchema).default({}),
    /**
     * Run these detectors and no other (built-in ids, BLOCKED_KEY, custom names), instead of turning
     * the rest off one by one. `detectors` may still set their modes; see checkOnly for conflicts.
     */
    only: z.array(z.string().min(1)).optional(),
    defaultMode: redactionModeSchema.default("mask"),
    /** Secret key for "hmac" pseudonyms. */
    hmacKey: z
      .string()
      .min(MIN_HMAC_KEY, `must be at least ${MIN_HMAC_KEY} characters (use a random secret)`)
      .optional(),
    allow: z
      .strictObject({
        emails: z.array(z.string()).default([]),
        domains: z.array(z.string()).default([]),
        values: z.array(z.string()).default([]),
      })
      .default({ emails: [], domains: [], values: [] }),
    /** Extra key names to block, added to DEFAULT_BLOCK_KEYS. */
    blockKeys: z.array(z.string().min(1)).default([]),
    /** Paths left untouched (`agent.*`, `input[*].role`); replaces DEFAULT_SKIP_PATHS when given. */
    skipPaths: z.array(z.string().min(1)).default([...DEFAULT_SKIP_PATHS]),
    /** ISO country whose national phone formats are recognised without "+<country code>". */
    phoneRegion: z
      .string()
      .refine((r) => isSupportedCountry(r), "must be an ISO 3166 country code known to libphonenumber")
      .default("US"),
    custom: z.array(customDetectorSchema).default([]),
  })
  .superRefine((config, ctx) => {
    const needsKey = "needs hmacKey: keyed pseudonyms require a secret key (a bare hash can be brute-forced)";
    if (config.hmacKey === undefined) {
      if (config.defaultMode === "hmac")
        ctx.addIssue({ code: "custom", path: ["defaultMode"], message: `"hmac" ${needsKey}` });
      for (const [id, settings] of Object.entries(config.detectors)) {
        if (settings?.mode === "hmac")
          ctx.addIssue({ code: "custom", path: ["detectors", id, "mode"], message: `"hmac" ${needsKey}` });
      }
      config.custom.forEach((c, i) => {
        if (c.mode === "hmac")
          ctx.addIssue({ code: "custom", path: ["custom", i, "mode"], message: `"hmac" ${needsKey}` });
      });
    }
    if (config.only) checkOnly(config.only, config, ctx);
    const seen = new Set<string>([...DETECTOR_IDS, BLOCKED_KEY]);
    config.custom.forEach((c, i) => {
      if (seen.has(c.name))
        ctx.addIssue({
          code: "custom",
          path: ["custom", i, "name"],
          message: `"${c.name}" is already a detector`,
        });
      seen.add(c.name);
      try {
        new RegExp(c.pattern, c.flags);
      } catch (error) {
        ctx.addIssue({
          code: "custom",
          path: ["custom", i, "pattern"],
          message: `invalid regular expression: ${(error as Error).message}`,
        });
      }
    });
  });

/**
 * `only` and the per-detector settings must agree, never silently win over each other: a detector
 * left out of `only` cannot also be enabled or given a mode (it would never run), one listed cannot
 * be disabled, and a custom detector defined but not listed would be dead code.
 */
function checkOnly(
  only: readonly string[],
  config: {
    detectors: Record<string, { mode?: unknown; enabled?: boolean } | undefined>;
    custom: readonly { name: string }[];
  },
  ctx: z.RefinementCtx,
): void {
  const customNames = config.custom.map((c) => c.name);
  const known = new Set<string>([...DETECTOR_IDS, BLOCKED_KEY, ...customNames]);
  if (only.length === 0) {
    ctx.addIssue({
      code: "custom",
      path: ["only"],
      message: "lists no detector: name at least one (to redact nothing, remove the redact transform)",
    });
  }
  only.forEach((id, i) => {
    if (!known.has(id)) {
      ctx.addIssue({
        code: "custom",
        path: ["only", i],
        message: `unknown detector "${id}" (known: ${[...known].join(", ")})`,
      });
    }
  });
  const listed = new Set(only);
  for (const [id, settings] of Object.entries(config.detectors)) {
    if (!settings) continue;
    if (listed.has(id) && settings.enabled === false) {
      ctx.addIssue({
        code: "custom",
        path: ["detectors", id, "enabled"],
        message: `${id} is listed in only and disabled here: remove it from one of the two`,
      });
    } else if (!listed.has(id) && (settings.enabled === true || settings.mode !== undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["detectors", id],
        message: `${id} is configured here but not listed in only, so it would never run: add it to only or remove these settings`,
      });
    }
  }
  config.custom.forEach((c, i) => {
    if (!listed.has(c.name)) {
      ctx.addIssue({
        code: "custom",
        path: ["custom", i],
        message: `custom detector ${c.name} is not listed in only, so it would never run: add it to only`,
      });
    }
  });
}

export type RedactConfigInput = z.input<typeof redactConfigSchema>;
export type RedactConfig = z.output<typeof redactConfigSchema>;
export type RedactionModeName = z.infer<typeof redactionModeSchema>;

/** Config fields whose values are secrets: never echoed by validation, errors or logs. */
export const REDACT_SECRET_FIELDS = ["hmacKey"] as const;

/** Validates a config, throwing a ConfigError whose lines name each bad field (never its value). */
export function parseRedactConfig(input: RedactConfigInput | undefined): RedactConfig {
  return parseConfig(redactConfigSchema, input, "redact config", [], { secretFields: REDACT_SECRET_FIELDS });
}
