import type { Detector, Finding, NumericWindow, TextHints } from "../detectors/detector.js";
import type { AllowList } from "./allow-list.js";
import { maskToken, type Pseudonymizer, type RedactionMode, TOKEN_RE } from "./redaction-token.js";

export interface ActiveDetector {
  readonly detector: Detector;
  readonly mode: RedactionMode;
}

const HAS_DIGIT = /\d/;
/** A digit and at least 5 more number characters: the shortest number a detector wants is "1.1.1.1". */
const NUMERIC_RUN = /\d[\d ().+-]{5,}/g;
/** Characters of context kept either side of a numeric run, for look-behind/look-ahead. */
const WINDOW_CONTEXT = 3;
/** No detector matches anything shorter. */
const MIN_LENGTH = 4;
const PROTECTED = "";
const MAX_PASSES = 4;

/**
 * Runs the active detectors over one string and rewrites it. Per string there is one combined
 * pre-filter pass (a regex of every detector's literals: vendor prefixes, "eyJ", "@", keywords) and
 * one pass that finds numeric runs; a detector runs its own regex only when the pre-filter saw one
 * of its literals, and digit-shaped detectors look only inside the numeric runs. Validators see
 * only regex candidates. Overlaps are settled by detector priority (array order), then the text is
 * rebuilt in one pass.
 */
export class TextRedactor {
  private readonly modes = new Map<string, RedactionMode>();
  private readonly normalizers = new Map<string, (value: string) => string>();
  private readonly gate: RegExp | undefined;
  /** Literal → indexes (into `detectors`) of the detectors it unlocks. */
  private readonly unlocks = new Map<string, number[]>();
  private readonly seen: Uint8Array;
  private readonly hasWindowDetectors: boolean;
  /** Custom detectors may match anything, so the short-text shortcut is off when there are any. */
  private readonly onlyBuiltins: boolean;
  /** Set by `find` when a candidate lost to an overlapping finding of higher priority. */
  private droppedOverlap = false;
  /** Set by `find` when a detector rejected a candidate because of the text around it. */
  private contextual = false;

  constructor(
    private readonly detectors: readonly ActiveDetector[],
    private readonly allow: AllowList,
    private readonly pseudonymizer: Pseudonymizer | undefined,
  ) {
    detectors.forEach(({ detector, mode }, index) => {
      this.modes.set(detector.id, mode);
      if (detector.normalize) this.normalizers.set(detector.id, detector.normalize);
      for (const literal of detector.literals ?? []) {
        const list = this.unlocks.get(literal) ?? [];
        list.push(index);
        this.unlocks.set(literal, list);
      }
    });
    // Longest first, so that a literal that is a prefix of another does not hide it.
    const literals = [...this.unlocks.keys()].sort((a, b) => b.length - a.length);
    this.gate = literals.length > 0 ? new RegExp(literals.map(escapeRegex).join("|"), "g") : undefined;
    this.seen = new Uint8Array(detectors.length);
    this.hasWindowDetectors = detectors.some(({ detector }) => detector.findInWindow);
    this.onlyBuiltins = detectors.every(({ detector }) => !detector.custom);
  }

  /** The redacted text (the same string when nothing was found); `onFinding` is told each detector hit. */
  redact(text: string, memo: Map<string, boolean>, onFinding: (detector: string) => void): string {
    // A replacement changes the neighbourhood of what is left (a value that ran into a key is now
    // followed by a token), so a changed text is scanned again until nothing more is found: that
    // is what makes redact(redact(x)) == redact(x). A pass whose findings all stood apart (between
    // spaces or punctuation) and pushed no other candidate out cannot change anything, so most
    // texts are scanned once.
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const findings = this.find(text, memo);
      if (findings.length === 0) break;
      const settled = !this.droppedOverlap && !this.contextual && findings.every((f) => isolated(text, f));
      let out = "";
      let last = 0;
      for (const f of findings) {
        out += text.slice(last, f.start) + this.replacement(f.detector, text.slice(f.start, f.end));
        last = f.end;
        onFinding(f.detector);
      }
      text = out + text.slice(last);
      if (settled) break;
    }
    return text;
  }

  /** Accepted findings, ordered by position, without overlaps and without allow-listed values. */
  find(text: string, memo: Map<string, boolean> = new Map()): Finding[] {
    if (text.length < MIN_LENGTH) return [];
    if (text.length < SHORT_TEXT && this.onlyBuiltins && !mayHoldShortSecret(text)) return [];
    const hints: TextHints = { hasDigit: HAS_DIGIT.test(text), memo, contextual: false };
    this.runGate(text);
    const windows = hints.hasDigit && this.hasWindowDetectors ? numericWindows(text) : NO_WINDOWS;
    // Detectors run in priority order, so candidates arrive grouped by priority.
    const candidates: Finding[] = [];
    for (let i = 0; i < this.detectors.length; i++) {
      const { detector } = this.detectors[i]!;
      if (detector.literals && this.seen[i] === 0) continue;
      if (detector.mayMatch && !detector.mayMatch(text, hints)) continue;
      detector.find?.(text, candidates, hints);
      if (detector.findInWindow) {
        for (const window of windows) detector.findInWindow(text, window, candidates, hints);
      }
    }
    this.contextual = hints.contextual;
    if (candidates.length === 0) return candidates;
    // Earlier redactions are protected spans: nothing may match inside or across them.
    const accepted: Finding[] = text.includes("[") ? protectedTokens(text) : [];
    const tokens = accepted.length;
    this.droppedOverlap = false;
    for (const candidate of candidates) {
      const value = this.allow.empty ? "" : text.slice(candidate.start, candidate.end);
      if (!this.allow.empty && this.allow.allows(candidate.detector, value)) continue;
      if (!insertIfFree(accepted, candidate) && accepted.length > tokens) this.droppedOverlap = true;
    }
    return accepted.filter((f) => f.detector !== PROTECTED);
  }

  /** One pass over the text marking, in `seen`, every detector whose literal occurs. */
  private runGate(text: string): void {
    this.seen.fill(0);
    const gate = this.gate;
    if (!gate) return;
    gate.lastIndex = 0;
    for (let m = gate.exec(text); m !== null; m = gate.exec(text)) {
      for (const index of this.unlocks.get(m[0])!) this.seen[index] = 1;
    }
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

const NO_WINDOWS: readonly NumericWindow[] = [];

/**
 * Below this length a built-in detector needs a digit, '@', ':' or '=' to match (secrets with a
 * vendor prefix, JWTs and bearer credentials are longer). Payloads are full of short strings
 * ("assistant", "stop", tool names) that this lets through without running any detector.
 */
const SHORT_TEXT = 14;

function mayHoldShortSecret(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 48 && c <= 58) || c === 64 || c === 61) return true; // 0-9 : @ =
  }
  return false;
}

function numericWindows(text: string): NumericWindow[] {
  const windows: NumericWindow[] = [];
  NUMERIC_RUN.lastIndex = 0;
  for (let m = NUMERIC_RUN.exec(text); m !== null; m = NUMERIC_RUN.exec(text)) {
    const run = m[0];
    let digits = 0;
    for (let i = 0; i < run.length; i++) {
      const c = run.charCodeAt(i);
      if (c >= 48 && c <= 57) digits++;
    }
    if (digits < 4) continue;
    const from = Math.max(0, m.index - WINDOW_CONTEXT);
    const to = Math.min(text.length, m.index + run.length + WINDOW_CONTEXT);
    windows.push({ from, to, digits, slice: text.slice(from, to) });
  }
  return windows;
}

function protectedTokens(text: string): Finding[] {
  const spans: Finding[] = [];
  TOKEN_RE.lastIndex = 0;
  for (let m = TOKEN_RE.exec(text); m !== null; m = TOKEN_RE.exec(text)) {
    spans.push({ detector: PROTECTED, start: m.index, end: m.index + m[0].length });
  }
  return spans;
}

/**
 * True when the characters either side of the finding end every detector's match (whitespace,
 * text bounds, most punctuation, or a '.' ending a sentence), so replacing it cannot make a
 * neighbouring candidate appear or change.
 */
function isolated(text: string, f: Finding): boolean {
  return (f.start === 0 || isBoundary(text.charCodeAt(f.start - 1))) && endsApart(text, f.end);
}

function endsApart(text: string, end: number): boolean {
  if (end >= text.length) return true;
  const c = text.charCodeAt(end);
  if (c === 46 /* . */) return end + 1 >= text.length || isBoundary(text.charCodeAt(end + 1));
  return isBoundary(c);
}

function isBoundary(c: number): boolean {
  // space \t \n \r " ' ( ) , ; < > [ ] { } |
  return (
    c === 32 ||
    c === 9 ||
    c === 10 ||
    c === 13 ||
    c === 34 ||
    c === 39 ||
    c === 40 ||
    c === 41 ||
    c === 44 ||
    c === 59 ||
    c === 60 ||
    c === 62 ||
    c === 91 ||
    c === 93 ||
    c === 123 ||
    c === 125 ||
    c === 124
  );
}

/** Keeps `sorted` ordered by start; inserts `f` only if it overlaps nothing already there. */
function insertIfFree(sorted: Finding[], f: Finding): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]!.start < f.start) lo = mid + 1;
    else hi = mid;
  }
  const before = sorted[lo - 1];
  const after = sorted[lo];
  if (before && before.end > f.start) return false;
  if (after && after.start < f.end) return false;
  sorted.splice(lo, 0, f);
  return true;
}

function escapeRegex(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}
