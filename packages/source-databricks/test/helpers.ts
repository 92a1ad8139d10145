import type { Logger } from "@pipekit/core";

/** A logger that records what was logged, to assert on warnings (and on the absence of secrets). */
export function recordingLogger(): Logger & { lines: { level: string; obj: object; msg?: string }[] } {
  const lines: { level: string; obj: object; msg?: string }[] = [];
  const make = (): Logger => ({
    debug: (obj, msg) => void lines.push({ level: "debug", obj, msg }),
    info: (obj, msg) => void lines.push({ level: "info", obj, msg }),
    warn: (obj, msg) => void lines.push({ level: "warn", obj, msg }),
    error: (obj, msg) => void lines.push({ level: "error", obj, msg }),
    child: () => make(),
  });
  return Object.assign(make(), { lines });
}
