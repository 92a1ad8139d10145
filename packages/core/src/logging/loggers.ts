import type { Logger } from "../contracts/context.js";

/** A logger that drops everything: the default, so a library user's output stays theirs. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};

export type LogLevel = "debug" | "info" | "warn" | "error";
const LEVELS: Record<LogLevel, number> = { debug: 20, info: 30, warn: 40, error: 50 };

/**
 * One JSON object per line (pino-like field names: level, time, msg) for when no pino is wired in.
 * Errors are reduced to name + message so stacks and causes (which may carry request data) stay out.
 */
export function createJsonLogger(
  options: { level?: LogLevel; write?: (line: string) => void; bindings?: Record<string, unknown> } = {},
): Logger {
  const min = LEVELS[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const bindings = options.bindings ?? {};
  const log = (level: LogLevel) => (obj: object, msg?: string) => {
    if (LEVELS[level] < min) return;
    const fields: Record<string, unknown> = { level, time: Date.now(), ...bindings };
    for (const [k, v] of Object.entries(obj))
      fields[k] = v instanceof Error ? { name: v.name, message: v.message } : v;
    if (msg !== undefined) fields.msg = msg;
    write(`${JSON.stringify(fields)}\n`);
  };
  return {
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    child: (more) => createJsonLogger({ ...options, bindings: { ...bindings, ...more } }),
  };
}
