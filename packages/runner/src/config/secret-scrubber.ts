import type { ConfigPath } from "./yaml-positions.js";

export const MASK = "***";

/**
 * Knows which config values are secret (by path and by value) and masks them in anything the
 * runner echoes: validate output, errors, logs, the printed config.
 */
export class SecretScrubber {
  private readonly paths = new Set<string>();
  private readonly values = new Set<string>();

  addPath(path: ConfigPath): void {
    this.paths.add(key(path));
  }

  addValue(value: unknown): void {
    // Very short values would mask innocent text everywhere; they are still masked by path.
    if (typeof value === "string" && value.length >= 4) this.values.add(value);
  }

  isSecretPath(path: ConfigPath): boolean {
    for (let depth = path.length; depth > 0; depth--) {
      if (this.paths.has(key(path.slice(0, depth)))) return true;
    }
    return false;
  }

  /** Every secret value occurring in `text` replaced by ***. */
  scrubText(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is masked whole.
    for (const value of [...this.values].sort((a, b) => b.length - a.length)) {
      out = out.split(value).join(MASK);
    }
    return out;
  }

  /** A deep copy of `data` with secret paths and secret values masked. */
  scrubData(data: unknown, path: ConfigPath = []): unknown {
    if (this.isSecretPath(path) && data !== undefined && data !== null) return MASK;
    if (Array.isArray(data)) return data.map((item, index) => this.scrubData(item, [...path, index]));
    if (typeof data === "object" && data !== null) {
      return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, this.scrubData(v, [...path, k])]));
    }
    return typeof data === "string" ? this.scrubText(data) : data;
  }

  /** Secret paths in pino's `redact` syntax, relative to `prefix`. */
  redactPaths(): string[] {
    return [...this.paths].map((p) =>
      (JSON.parse(p) as (string | number)[])
        .map((part, i) =>
          typeof part === "number"
            ? `[${part}]`
            : /^[A-Za-z_$][\w$]*$/.test(part)
              ? i === 0
                ? part
                : `.${part}`
              : `["${part}"]`,
        )
        .join(""),
    );
  }
}

function key(path: ConfigPath): string {
  return JSON.stringify(path);
}
