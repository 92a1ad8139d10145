import type { Detector, Finding, TextHints } from "../detectors/detector.js";
import type { AllowList } from "./allow-list.js";
import { maskToken, type Pseudonymizer, type RedactionMode, TOKEN_RE } from "./redaction-token.js";

export interface ActiveDetector {
  readonly detector: Detector;
  readonly mode: RedactionMode;
}

const HAS_DIGIT = /\d/;
/** No detector matches anything shorter. */
const MIN_LENGTH = 4;
const PROTECTED = "";

/**
 * Runs the active detectors over one string and rewrites it. Each detector first makes a cheap
 * pre-check; only those that pass run their regex, and validators see only regex candidates.
 * Overlaps are settled by detector priority (array order), then the text is rebuilt in one pass.
 */
export class TextRedactor {
  private readonly modes = new Map<string, RedactionMode>();
  private readonly normalizers = new Map<string, (value: string) => string>();

  constructor(
    private readonly detectors: readonly ActiveDetector[],
    private readonly allow: AllowList,
    private readonly pseudonymizer: Pseudonymizer | undefined,
  ) {
    for (const { detector, mode } of detectors) {
      this.modes.set(detector.id, mode);
      if (detector.normalize) this.normalizers.set(detector.id, detector.normalize);
    }
  }

  /** The redacted text (the same string when nothing was found); `onFinding` is told each detector hit. */
  redact(text: string, onFinding: (detector: string) => void): string {
    const findings = this.find(text);
    if (findings.length === 0) return text;
    let out = "";
    let last = 0;
    for (const f of findings) {
      out += text.slice(last, f.start) + this.replacement(f.detector, text.slice(f.start, f.end));
      last = f.end;
      onFinding(f.detector);
    }
    return out + text.slice(last);
  }

  /** Accepted findings, ordered by position, without overlaps and without allow-listed values. */
  find(text: string): Finding[] {
    if (text.length < MIN_LENGTH) return [];
    const hints: TextHints = { hasDigit: HAS_DIGIT.test(text) };
    const candidates: Finding[] = [];
    for (const { detector } of this.detectors) {
      if (detector.mayMatch(text, hints)) detector.find(text, candidates);
    }
    if (candidates.length === 0) return candidates;
    // Earlier redactions are protected spans: nothing may match inside or across them.
    const accepted: Finding[] = text.includes("[") ? protectedTokens(text) : [];
    for (const candidate of candidates) {
      if (
        !this.allow.empty &&
        this.allow.allows(candidate.detector, text.slice(candidate.start, candidate.end))
      )
        continue;
      insertIfFree(accepted, candidate);
    }
    return accepted.filter((f) => f.detector !== PROTECTED);
  }

  private replacement(detector: string, value: string): string {
    switch (this.modes.get(detector)) {
      case "remove":
        return "";
      case "hmac": {
        const normalize = this.normalizers.get(detector);
        return this.pseudonymizer!.token(detector, normalize ? normalize(value) : value);
      }
      default:
        return maskToken(detector);
    }
  }
}

function protectedTokens(text: string): Finding[] {
  const spans: Finding[] = [];
  TOKEN_RE.lastIndex = 0;
  for (let m = TOKEN_RE.exec(text); m !== null; m = TOKEN_RE.exec(text)) {
    spans.push({ detector: PROTECTED, start: m.index, end: m.index + m[0].length });
  }
  return spans;
}

/** Keeps `sorted` ordered by start; inserts `f` only if it overlaps nothing already there. */
function insertIfFree(sorted: Finding[], f: Finding): void {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]!.start < f.start) lo = mid + 1;
    else hi = mid;
  }
  const before = sorted[lo - 1];
  const after = sorted[lo];
  if (before && before.end > f.start) return;
  if (after && after.start < f.end) return;
  sorted.splice(lo, 0, f);
}
