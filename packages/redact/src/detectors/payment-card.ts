import { type Detector, type Finding, type NumericWindow, scanWindow } from "./detector.js";
import { digitsOf, luhnValid } from "./validators.js";

/**
 * 13–19 digits, optionally grouped by spaces or dashes. Grouped, a following space or dash group
 * makes it a longer number, not a card ("4111 1111 1111 1111 1111 1"). Ungrouped, a space and
 * another number may follow in prose ("4111111111111111 090-85-1343"): rejecting that too hid the
 * card entirely.
 */
const CARD_RE = /(?<![\w\-.])(?:\d{13,19}(?![\w-]|\.\d|-\d)|\d(?:[ -]?\d){12,18}(?![\w-]|\.\d|[ -]\d))/g;

/** Issuer prefixes (IIN ranges) of the card networks in use: Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro. */
const IIN = /^(?:4|5[0-9]|2[2-7]|3[47]|3[0689]|35|6)/;

export const paymentCardDetector: Detector = {
  id: "CREDIT_CARD",
  findInWindow(_text: string, window: NumericWindow, out: Finding[]): void {
    if (window.digits < 13) return;
    scanWindow(CARD_RE, window, "CREDIT_CARD", out, (m, start) => {
      let candidate = m[0];
      // The greedy match may have taken a following group ("4111 1111 1111 1111 12/25"): drop
      // trailing groups until the rest validates.
      for (;;) {
        if (validCard(candidate)) return start + candidate.length;
        const cut = Math.max(candidate.lastIndexOf(" "), candidate.lastIndexOf("-"));
        if (cut <= 0) return undefined;
        candidate = candidate.slice(0, cut);
      }
    });
  },
  normalize: digitsOf,
};

function validCard(candidate: string): boolean {
  const digits = digitsOf(candidate);
  if (digits.length < 13 || digits.length > 19 || !IIN.test(digits)) return false;
  if (/^(\d)\1+$/.test(digits)) return false;
  if (!groupingValid(candidate)) return false;
  return luhnValid(digits);
}

/** Separated numbers must be grouped the way cards are printed: 4-4-4-4(-x), 4-6-5 (Amex), 4-6-4 (Diners). */
function groupingValid(candidate: string): boolean {
  const hasSpace = candidate.includes(" ");
  const hasDash = candidate.includes("-");
  if (!hasSpace && !hasDash) return true;
  if (hasSpace && hasDash) return false;
  const groups = candidate.split(hasSpace ? " " : "-").map((g) => g.length);
  const shape = groups.join("-");
  if (shape === "4-6-5" || shape === "4-6-4") return true;
  const last = groups[groups.length - 1]!;
  return groups.slice(0, -1).every((n) => n === 4) && last >= 1 && last <= 4;
}
