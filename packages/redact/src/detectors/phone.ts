import { type CountryCode, isValidPhoneNumber, parsePhoneNumberFromString } from "libphonenumber-js/max";
import { type Detector, type Finding, scanRegex } from "./detector.js";
import { digitsOf } from "./validators.js";

/**
 * Candidates are either E.164-style (`+14155552671`) or groups of digits with separators
 * (`(415) 555-2671`, `+44 20 7946 0958`). Bare digit runs without '+' are never phones here: order
 * numbers and epoch timestamps look exactly like them. libphonenumber's full metadata then decides
 * whether the number exists in the numbering plan; cheap digit-count rules run first so that dates
 * and IP addresses never reach it.
 */
const PHONE_RE =
  /(?<![\w+\-./#])(?:\+\d{8,15}|(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{1,5}(?:[ .-]\d{1,5}){1,5})(?![\w\-/]|\.\d)/g;

export function phoneDetector(region: CountryCode): Detector {
  const valid = (candidate: string): boolean => {
    const digits = digitsOf(candidate);
    if (candidate.charCodeAt(0) === 43 /* + */) {
      return digits.length >= 8 && digits.length <= 15 && isValidPhoneNumber(candidate);
    }
    if (region === "US" || region === "CA") {
      // NANP: [1] NXX NXX XXXX; rejects most dates, versions and IPs before the metadata lookup.
      const national = digits.length === 11 && digits[0] === "1" ? digits.slice(1) : digits;
      if (national.length !== 10 || national[0]! < "2" || national[3]! < "2") return false;
    } else if (digits.length < 7 || digits.length > 15) {
      return false;
    }
    return isValidPhoneNumber(candidate, region);
  };
  return {
    id: "PHONE",
    mayMatch: (_text, hints) => hints.hasDigit,
    find(text: string, out: Finding[]): void {
      scanRegex(PHONE_RE, text, "PHONE", out, (m) => {
        let candidate = m[0];
        if (valid(candidate)) return [m.index, m.index + candidate.length];
        // "call 415 555 2671 2 times": the greedy groups swallowed a trailing number; try without it.
        const lastSep = Math.max(
          candidate.lastIndexOf(" "),
          candidate.lastIndexOf("-"),
          candidate.lastIndexOf("."),
        );
        if (lastSep <= 0) return undefined;
        candidate = candidate.slice(0, lastSep);
        return valid(candidate) ? [m.index, m.index + candidate.length] : undefined;
      });
    },
    normalize: (value) => parsePhoneNumberFromString(value, region)?.number ?? digitsOf(value),
  };
}
