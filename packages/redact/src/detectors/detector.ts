/** A validated match: `text.slice(start, end)` is the sensitive part (e.g. only the password of a URL). */
export interface Finding {
  readonly detector: string;
  readonly start: number;
  readonly end: number;
}

/** Facts about a string computed once and shared by every detector's pre-check. */
export interface TextHints {
  readonly hasDigit: boolean;
  /**
   * Validation results for this record only (one redactValue call): payloads repeat their values
   * (a message and the raw request that contains it), and some validators are costly (phone
   * metadata). Kept per record so cost and benchmarks do not depend on cross-record luck.
   */
  readonly memo: Map<string, boolean>;
  /**
   * Set by a detector that rejected a candidate because of words AROUND it ("version 1.2.3.4",
   * no "SSN" near nine digits). If a finding swallowed those words, the scanner must look again.
   */
  contextual: boolean;
}

/**
 * A run of digits and the separators numbers are written with (space . - ( ) +), found once per
 * string by the scanner, with a few characters of context either side. Digit-shaped detectors
 * (cards, SSNs, phones, IPv4) look only inside these windows instead of re-scanning the text.
 */
export interface NumericWindow {
  /** Window bounds in the text, context included. */
  readonly from: number;
  readonly to: number;
  /** Digits in the run. */
  readonly digits: number;
  /** `text.slice(from, to)`, made once and shared by the detectors. */
  readonly slice: string;
}

/**
 * One kind of sensitive value. The scanner decides cheaply which detectors can match a string
 * (literal gate, `mayMatch`), then lets only those run their regex; validators see only candidates.
 */
export interface Detector {
  readonly id: string;
  /**
   * Literal strings of which at least one must occur for a match (vendor prefixes, "eyJ"). The
   * scanner folds the literals of all detectors into ONE regex pass per string and runs a detector
   * only when one of its literals was seen.
   */
  readonly literals?: readonly string[];
  /** Further cheap test (indexOf, a hint) before `find`; absent means yes. */
  mayMatch?(text: string, hints: TextHints): boolean;
  /** Scans the whole text. */
  find?(text: string, out: Finding[], hints: TextHints): void;
  /** Scans one numeric window (see NumericWindow). */
  findInWindow?(text: string, window: NumericWindow, out: Finding[], hints: TextHints): void;
  /** True for detectors from config (their patterns can match anything, even short text). */
  readonly custom?: boolean;
  /** Canonical form used for HMAC pseudonyms so "4111 1111…" and "4111-1111…" map to one value. */
  normalize?(value: string): string;
}

/**
 * Runs a global regex over `text`, handing each match to `accept`, which returns the sensitive
 * sub-span (or undefined to reject). Guards against zero-length matches looping forever.
 */
export function scanRegex(
  re: RegExp,
  text: string,
  detector: string,
  out: Finding[],
  accept: (match: RegExpExecArray) => readonly [number, number] | undefined,
): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    const span = accept(m);
    if (span) out.push({ detector, start: span[0], end: span[1] });
  }
}

/**
 * `scanRegex` over a numeric window only. The regex runs on the window's slice (context chars
 * included, so its look-behind and look-ahead still see the neighbours); `accept` gets the match
 * and its absolute index in the text and returns the absolute end of the sensitive span.
 */
export function scanWindow(
  re: RegExp,
  window: NumericWindow,
  detector: string,
  out: Finding[],
  accept: (match: RegExpExecArray, start: number) => number | undefined,
): void {
  const slice = window.slice;
  re.lastIndex = 0;
  for (let m = re.exec(slice); m !== null; m = re.exec(slice)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    const start = window.from + m.index;
    const end = accept(m, start);
    if (end !== undefined) out.push({ detector, start, end });
  }
}

/** The whole match as the sensitive span. */
export function wholeMatch(m: RegExpExecArray): readonly [number, number] {
  return [m.index, m.index + m[0].length];
}

/** The match's trailing `value` as the span (e.g. the credential after "Bearer "). */
export function suffixSpan(m: RegExpExecArray, value: string): readonly [number, number] {
  const end = m.index + m[0].length;
  return [end - value.length, end];
}
