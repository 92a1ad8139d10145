import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * A second opinion on redaction, for tests: deliberately simple patterns, with no checksum, entropy
 * or context rule, run over everything the sinks wrote. The detectors validate (Luhn, mod-97,
 * entropy, issuance rules) to stay precise; a bug in that validation silently lets real values
 * through — as all-letter AWS key ids once did. These patterns share none of that code, so a
 * survivor here is a value the detectors should have caught.
 *
 * The patterns are tight on shape (exact lengths, printed groupings) so that ordinary payload
 * content — epoch milliseconds, UUIDs, request ids — does not trip them.
 */
export interface AuditPattern {
  readonly id: string;
  readonly re: RegExp;
}

export const AUDIT_PATTERNS: readonly AuditPattern[] = [
  { id: "AWS_ACCESS_KEY", re: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g },
  { id: "OPENAI_KEY", re: /(?<![\w-])sk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g },
  { id: "ANTHROPIC_KEY", re: /(?<![\w-])sk-ant-[A-Za-z0-9_-]{20,}/g },
  { id: "GITHUB_TOKEN", re: /(?<![\w-])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{20,})/g },
  { id: "SLACK_TOKEN", re: /(?<![\w-])(?:xox[abposre][.-][A-Za-z0-9.-]{10,}|xapp-\d-[A-Za-z0-9-]{20,})/g },
  { id: "GOOGLE_API_KEY", re: /(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])/g },
  { id: "JWT", re: /(?<![\w-])eyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]{16,}/g },
  { id: "PRIVATE_KEY", re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/g },
  { id: "EMAIL", re: /(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g },
  // Country, check digits, then the BBAN in the electronic or the printed (groups of four) form.
  {
    id: "IBAN",
    re: /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?)(?![A-Za-z0-9])/g,
  },
  // Printed card numbers (4-4-4-4[-1..3], Amex 4-6-5, Diners 4-6-4), and bare runs of 13–19 digits
  // that start like a card IN PROSE (after a space, "(" or "="): a whole JSON value of 16 digits is
  // more often a span or trace id than a card, and epoch milliseconds start with 1.
  {
    id: "CREDIT_CARD",
    re: /(?<![\w.-])(?:\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?|\d{4}([ -])\d{6}\2\d{4,5})(?![\w-])|(?<=[\s(=])[2-6]\d{12,18}(?![\w-]|\.\d)/g,
  },
  { id: "US_SSN", re: /(?<![\w.-])\d{3}-\d{2}-\d{4}(?![\w-])/g },
  { id: "PHONE", re: /(?<![\w+])(?:\+1[ -]?)?\(\d{3}\) ?\d{3}-\d{4}(?!\d)/g },
];

export interface AuditSurvivor {
  readonly pattern: string;
  /** Where it was found: a file path (and line), or the label given to `auditText`. */
  readonly where: string;
  /**
   * The match with its middle masked (`AKIA…[20]…YZ`): enough to find it in the file, not
   * enough to reuse it should the data ever be real.
   */
  readonly masked: string;
}

/** Values a test knows are not sensitive although shaped like one (e.g. the emulator's own host). */
export interface AuditOptions {
  readonly allow?: readonly (string | RegExp)[];
  readonly patterns?: readonly AuditPattern[];
}

/** Survivors in one text. JSON escapes are undone first so values inside JSON strings are seen. */
export function auditText(text: string, where: string, options: AuditOptions = {}): AuditSurvivor[] {
  const survivors: AuditSurvivor[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = unescapeJson(lines[i]!);
    // An IBAN's digits also read as a printed card: the first pattern to claim a span owns it.
    const claimed: [number, number][] = [];
    for (const { id, re } of options.patterns ?? AUDIT_PATTERNS) {
      re.lastIndex = 0;
      for (let m = re.exec(line); m !== null; m = re.exec(line)) {
        const start = m.index;
        const end = start + m[0].length;
        if (claimed.some(([s, e]) => start < e && end > s)) continue;
        claimed.push([start, end]);
        if (isAllowed(m[0], options.allow)) continue;
        survivors.push({ pattern: id, where: `${where}:${i + 1}`, masked: mask(m[0]) });
      }
    }
  }
  return survivors;
}

/** Survivors in a file, or in every file under a directory (recursively). */
export function auditPath(path: string, options: AuditOptions = {}): AuditSurvivor[] {
  if (statSync(path).isDirectory()) {
    return readdirSync(path)
      .sort()
      .flatMap((name) => auditPath(join(path, name), options));
  }
  return auditText(readFileSync(path, "utf8"), path, options);
}

/** Strings as the sinks hand them over (Kafka message values, Akto request bodies). */
export function auditRecords(
  records: Iterable<unknown>,
  where: string,
  options: AuditOptions = {},
): AuditSurvivor[] {
  const out: AuditSurvivor[] = [];
  let n = 0;
  for (const record of records) {
    const text = typeof record === "string" ? record : JSON.stringify(record);
    out.push(...auditText(text, `${where}[${n++}]`, options));
  }
  return out;
}

function isAllowed(value: string, allow: AuditOptions["allow"]): boolean {
  return (allow ?? []).some((a) => (typeof a === "string" ? a === value : a.test(value)));
}

/** `\"`, `\\`, `\n`, `\u0040`: nested JSON (request payloads inside records) is escaped once per level. */
function unescapeJson(line: string): string {
  let previous = "";
  let current = line;
  // Two levels cover a record's payload string holding tool-call arguments as JSON text.
  for (let level = 0; level < 3 && current !== previous && current.includes("\\"); level++) {
    previous = current;
    current = current
      .replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
      .replace(/\\[nrt]/g, " ")
      .replace(/\\(["\\/])/g, "$1");
  }
  return current;
}

function mask(value: string): string {
  if (value.length <= 8) return `…[${value.length}]…`;
  return `${value.slice(0, 4)}…[${value.length}]…${value.slice(-2)}`;
}
