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
      base: { pid: process.pid, ...options.bindings },
      redact: { paths, censor: "***" },
      hooks: secrets
        ? {
            logMethod(args, method) {
              const cleaned = args.map((a) => (typeof a === "string" ? secrets.scrubText(a) : a));
              const [first] = cleaned;
              if (first && typeof first === "object" && !(first instanceof Error)) {
                cleaned[0] = JSON.parse(secrets.scrubText(safeStringify(first))) as object;
              }
              method.apply(this, cleaned as Parameters<typeof method>);
            },
          }
        : undefined,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
  return logger as Logger & pino.Logger;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) =>
      v instanceof Error ? { type: v.name, message: v.message, stack: v.stack } : v,
    );
  } catch {
    return "{}";
  }
}
