/** A validated match: `text.slice(start, end)` is the sensitive part (e.g. only the password of a URL). */
export interface Finding {
  readonly detector: string;
  readonly start: number;
  readonly end: number;
}

/** Facts about a string computed once and shared by every detector's pre-check. */
export interface TextHints {
  readonly hasDigit: boolean;
}

/**
 * One kind of sensitive value. `mayMatch` is a cheap test (indexOf, a flag) that lets the scanner
 * skip the detector's regex entirely on most strings; `find` runs the regex and validates candidates.
 */
export interface Detector {
  readonly id: string;
  mayMatch(text: string, hints: TextHints): boolean;
  find(text: string, out: Finding[]): void;
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

/** The whole match as the sensitive span. */
export function wholeMatch(m: RegExpExecArray): readonly [number, number] {
  return [m.index, m.index + m[0].length];
}

/** The match's trailing `value` as the span (e.g. the credential after "Bearer "). */
export function suffixSpan(m: RegExpExecArray, value: string): readonly [number, number] {
  const end = m.index + m[0].length;
  return [end - value.length, end];
}
