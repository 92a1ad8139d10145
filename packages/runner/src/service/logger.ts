import type { Logger } from "@pipekit/core";
import pino, { type DestinationStream } from "pino";
import type { SecretScrubber } from "../config/secret-scrubber.js";

/** Key names that hold credentials wherever they appear in a logged object. */
const SECRET_KEYS = [
  "secret",
  "clientSecret",
  "client_secret",
  "token",
  "password",
  "authorization",
  "apiKey",
  "api_key",
  "jwt",
];

export interface RunnerLoggerOptions {
  readonly level?: string;
  readonly secrets?: SecretScrubber;
  readonly destination?: DestinationStream;
  readonly bindings?: Record<string, unknown>;
}

/**
 * Structured JSON logs. Secrets are kept out twice over: pino `redact` censors secret keys and the
 * config's secret paths (under `config.`), and every string logged is scrubbed of known secret
 * values in case one reached a message or an error text.
 *
 * Each key appears once per line: pino appends a child's bindings to its parent's, so a component
 * that binds `pipeline` again under a logger that already has it printed the key twice (three
 * times through two layers). Children are therefore made from the root with the merged bindings.
 * Errors keep what a person acts on: their declared class and `hint`, beside message and stack.
 */
export function createRunnerLogger(options: RunnerLoggerOptions = {}): Logger & pino.Logger {
  const secrets = options.secrets;
  const paths = [
    ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
    ...(secrets?.redactPaths().map((p) => `config.${p.startsWith("[") ? p.slice(0) : p}`) ?? []),
  ];
  const logger = pino(
    {
      level: options.level ?? "info",
      base: { pid: process.pid },
      redact: { paths, censor: "***" },
      hooks: {
        logMethod(args, method) {
          const cleaned = secrets
            ? args.map((a) => (typeof a === "string" ? secrets.scrubText(a) : a))
            : [...args];
          const [first] = cleaned;
          if (first && typeof first === "object" && !(first instanceof Error)) {
            const fields = secrets
              ? (JSON.parse(secrets.scrubText(safeStringify(first))) as Record<string, unknown>)
              : (first as Record<string, unknown>);
            cleaned[0] = withoutBoundFields(fields, this.bindings());
          }
          method.apply(this, cleaned as Parameters<typeof method>);
        },
      },
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serializeError, error: serializeError },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
  return withDedupedChildren(logger, logger.child(options.bindings ?? {})) as Logger & pino.Logger;
}

/** A logged object's fields that repeat a binding with the same value would print the key twice. */
function withoutBoundFields(fields: Record<string, unknown>, bound: pino.Bindings): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(fields)) {
    if (key in bound && bound[key] === fields[key]) {
      out ??= { ...fields };
      delete out[key];
    }
  }
  return out ?? fields;
}

/** `child()` of `logger` and of its descendants: one child of `root` with all bindings merged, later ones winning. */
function withDedupedChildren(root: pino.Logger, logger: pino.Logger): pino.Logger {
  logger.child = ((bindings: pino.Bindings, childOptions?: pino.ChildLoggerOptions) => {
    const merged = { ...logger.bindings(), ...bindings };
    const made = childOptions ? root.child(merged, childOptions) : root.child(merged);
    if (!childOptions?.level) made.level = logger.level;
    return withDedupedChildren(root, made);
  }) as unknown as typeof logger.child;
  return logger;
}

/**
 * An error as logged: name, message, declared class (`retryable`/`poison`/`fatal`), `hint` (the
 * documented fix), HTTP status or code when present, the stack, and the cause's name and message.
 * Also used for errors nested in logged objects, which the secret scrubbing turns into JSON.
 */
export function serializeError(value: unknown): unknown {
  if (!(value instanceof Error)) {
    // Already serialized (the scrubbing hook passes errors through JSON first).
    return value;
  }
  const e = value as Error & { class?: unknown; hint?: unknown; status?: unknown; code?: unknown };
  const out: Record<string, unknown> = { type: e.name, message: e.message };
  if (typeof e.class === "string") out.class = e.class;
  if (typeof e.hint === "string") out.hint = e.hint;
  if (typeof e.status === "number") out.status = e.status;
  if (typeof e.code === "string" || typeof e.code === "number") out.code = e.code;
  out.stack = e.stack;
  if (e.cause instanceof Error) out.cause = { type: e.cause.name, message: e.cause.message };
  return out;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (v instanceof Error ? serializeError(v) : v));
  } catch {
    return "{}";
  }
}
