import { isIPv6 } from "node:net";
import { type Detector, type Finding, type NumericWindow, scanWindow, type TextHints } from "./detector.js";

const IPV4_RE = /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d|-[A-Za-z])/g;
/** "version 1.2.3.4", "v10.0.0.1": four-part version numbers are not addresses. */
const VERSION_BEFORE = /(?:\bv|version|\bver|release|build|\brev)[\s:=#]*$/i;

/** IPv4 and IPv6 addresses, one detector id ("IP_ADDRESS") for both. */
export const ipAddressDetector: Detector = {
  id: "IP_ADDRESS",
  find(text: string, out: Finding[], hints): void {
    if (hints.hasDigit && text.includes(":")) findIpv6(text, out);
  },
  findInWindow(text: string, window: NumericWindow, out: Finding[], hints: TextHints): void {
    if (window.digits < 4) return;
    scanWindow(IPV4_RE, window, "IP_ADDRESS", out, (m, start) => {
      if (!ipv4Valid(m[0])) return undefined;
      if (VERSION_BEFORE.test(text.slice(Math.max(0, start - 10), start))) {
        hints.contextual = true;
        return undefined;
      }
      return start + m[0].length;
    });
  },
};

function ipv4Valid(candidate: string): boolean {
  const octets = candidate.split(".");
  if (octets[0] === "0") return false;
  return octets.every((o) => Number(o) <= 255 && (o.length === 1 || o[0] !== "0"));
}

/**
 * IPv6 is found from each ':' outwards over [0-9a-f:.]: a regex whose first token may be empty
 * would be tried at every character of the text. Shapes that pass `isIPv6` but are not addresses
 * in practice (times like "12:30::", "abc::def") are filtered by requiring a digit and two groups.
 */
function findIpv6(text: string, out: Finding[]): void {
  let from = 0;
  for (let colon = text.indexOf(":"); colon !== -1; colon = text.indexOf(":", from)) {
    let start = colon;
    while (start > 0 && isIpv6Char(text.charCodeAt(start - 1))) start--;
    let end = colon + 1;
    while (end < text.length && isIpv6Char(text.charCodeAt(end))) end++;
    from = end + 1;
    if (start > 0 && isWordChar(text.charCodeAt(start - 1))) continue;
    // "…d7a2.eyJ…": the hex run ran into a following word; cut back to the last separator.
    if (end < text.length && isWordChar(text.charCodeAt(end))) {
      while (end > start && !isSeparator(text.charCodeAt(end - 1))) end--;
    }
    // Trailing '.' is sentence punctuation, a single trailing ':' comes before a port or a label.
    while (end > start && text.charCodeAt(end - 1) === 46) end--;
    if (end - start > 2 && text.charCodeAt(end - 1) === 58 && text.charCodeAt(end - 2) !== 58) end--;
    const candidate = text.slice(start, end);
    if (countColons(candidate) < 2 || !isIPv6(candidate) || !plausibleIpv6(candidate)) continue;
    out.push({ detector: "IP_ADDRESS", start, end });
  }
}

function plausibleIpv6(candidate: string): boolean {
  if (!/\d/.test(candidate)) return false;
  return candidate.split(/[:.]/).filter((g) => g.length > 0).length >= 2;
}

function countColons(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 58) n++;
  return n;
}
function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
function isIpv6Char(c: number): boolean {
  return isHex(c) || c === 58 || c === 46;
}
function isSeparator(c: number): boolean {
  return c === 58 || c === 46;
}
function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
