import { type CountryCode, isValidPhoneNumber, parsePhoneNumberFromString } from "libphonenumber-js/max";
import { type Detector, type Finding, type NumericWindow, scanWindow, type TextHints } from "./detector.js";
import { internationalSurelyValid } from "./phone-metadata.js";
import { digitsOf } from "./validators.js";

/**
 * Candidates are either E.164-style (`+14155552671`) or groups of digits with separators
 * (`(415) 555-2671`, `+44 20 7946 0958`). Bare digit runs without '+' are never phones here: order
 * numbers and epoch timestamps look exactly like them. libphonenumber's full metadata then decides
 * whether the number exists in the numbering plan. That lookup costs tens of microseconds, so cheap
 * digit-count rules run first (dates, versions and IP addresses never reach it) and its answers
 * are memoised for the record.
 */
const PHONE_RE =
  /(?<![\w+\-./#])(?:\+\d{8,15}|(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{1,6}(?:[ .-]\d{1,6}){1,5})(?![\w\-/]|\.\d)/g;

export function phoneDetector(region: CountryCode): Detector {
  const nanp = region === "US" || region === "CA";

  /** Digit-count and NANP shape rules, without allocating. */
  const plausible = (candidate: string): boolean => {
    let digits = 0;
    let first = -1;
    let second = -1;
    for (let i = 0; i < candidate.length; i++) {
      const d = candidate.charCodeAt(i) - 48;
      if (d < 0 || d > 9) continue;
      if (digits === 0) first = d;
      else if (digits === 1) second = d;
      digits++;
    }
    if (candidate.charCodeAt(0) === 43 /* + */) return digits >= 8 && digits <= 15;
    if (!nanp) return digits >= 7 && digits <= 15;
    // NANP: [1] NXX NXX XXXX — area code and exchange start with 2–9.
    if (digits === 10) return first >= 2 && isExchangeStart(candidate, 3);
    return digits === 11 && first === 1 && second >= 2 && isExchangeStart(candidate, 4);
  };

  const valid = (candidate: string, memo: Map<string, boolean>): boolean => {
    if (!plausible(candidate)) return false;
    // NANP numbers are checked by rule: the metadata lookup costs tens of microseconds each.
    // (+1 is the only calling code starting with 1: every "+1…" number is NANP.)
    if (candidate.startsWith("+1") || (nanp && candidate.charCodeAt(0) !== 43)) return nanpValid(candidate);
    const key = `PHONE\u0000${candidate}`;
    let ok = memo.get(key);
    if (ok === undefined) {
      ok =
        candidate.charCodeAt(0) === 43
          ? internationalSurelyValid(digitsOf(candidate)) || isValidPhoneNumber(candidate)
          : isValidPhoneNumber(candidate, region);
      memo.set(key, ok);
    }
    return ok;
  };

  return {
    id: "PHONE",
    findInWindow(_text: string, window: NumericWindow, out: Finding[], hints: TextHints): void {
      if (window.digits < 7) return;
      scanWindow(PHONE_RE, window, "PHONE", out, (m, start) => {
        let candidate = m[0];
        if (valid(candidate, hints.memo)) return start + candidate.length;
        // "call 415 555 2671 2 times": the greedy groups swallowed a trailing number; try without it.
        const cut = Math.max(
          candidate.lastIndexOf(" "),
          candidate.lastIndexOf("-"),
          candidate.lastIndexOf("."),
        );
        if (cut <= 0) return undefined;
        candidate = candidate.slice(0, cut);
        return valid(candidate, hints.memo) ? start + candidate.length : undefined;
      });
    },
    normalize: (value) => parsePhoneNumberFromString(value, region)?.number ?? digitsOf(value),
  };
}

/** The digit at position `index` (counting digits only) is 2–9: a valid NANP exchange start. */
function isExchangeStart(candidate: string, index: number): boolean {
  let seen = 0;
  for (let i = 0; i < candidate.length; i++) {
    const d = candidate.charCodeAt(i) - 48;
    if (d < 0 || d > 9) continue;
    if (seen === index) return d >= 2;
    seen++;
  }
  return false;
}

const NANP_GROUPINGS = new Set(["3-3-4", "1-3-3-4", "10", "11", "3-7", "1-10"]);

/**
 * North American Numbering Plan: area code NXX with a middle digit 0–8 (N9X is reserved), neither
 * is N11 (service codes), exchange NXX not N11, and 555-01XX is reserved for fiction.
 */
export function nanpValid(candidate: string): boolean {
  // Written as [1] 3-3-4 (or all together): "198.157.161.90" has 11 digits but is an address.
  const groups = candidate
    .split(/[^0-9]+/)
    .filter((g) => g.length > 0)
    .map((g) => g.length)
    .join("-");
  if (!NANP_GROUPINGS.has(groups)) return false;
  let digits = "";
  for (let i = 0; i < candidate.length; i++) {
    const c = candidate.charCodeAt(i);
    if (c >= 48 && c <= 57) digits += candidate[i];
  }
  if (digits.length === 11) {
    if (digits[0] !== "1") return false;
    digits = digits.slice(1);
  }
  if (digits.length !== 10) return false;
  const area = digits.slice(0, 3);
  const exchange = digits.slice(3, 6);
  if (area[0]! < "2" || area[1] === "9" || area.slice(1) === "11") return false;
  if (exchange[0]! < "2" || exchange.slice(1) === "11") return false;
  return !(exchange === "555" && digits.slice(6, 8) === "01");
}
