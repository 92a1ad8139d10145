import type { Detector, Finding, TextHints } from "./detector.js";

/**
 * Emails are found from each '@' outwards rather than with one big regex: a regex with a
 * `[local-chars]+@` prefix re-scans long alphanumeric runs from every start position (quadratic on
 * base64 blobs), while expanding around '@' costs at most 64 + 253 characters per '@'.
 */
export const emailDetector: Detector = {
  id: "EMAIL",
  literals: ["@"],
  find(text: string, out: Finding[], hints: TextHints): void {
    let searchFrom = 0;
    for (let at = text.indexOf("@"); at !== -1; at = text.indexOf("@", searchFrom)) {
      searchFrom = at + 1;
      let start = at;
      while (start > 0 && at - start < 64 && isLocalChar(text.charCodeAt(start - 1))) start--;
      // A local part longer than 64 is not an address (and stops the walk staying bounded).
      if (start > 0 && isLocalChar(text.charCodeAt(start - 1))) {
        hints.contextual = true;
        continue;
      }
      while (start < at && text.charCodeAt(start) === DOT) start++;
      let end = at + 1;
      while (end < text.length && end - at <= 253 && isDomainChar(text.charCodeAt(end))) end++;
      while (end > at + 1 && (text.charCodeAt(end - 1) === DOT || text.charCodeAt(end - 1) === DASH)) end--;
      if (start === at || end === at + 1) continue;
      // scheme://user@host: the user of a URL, not a mailbox.
      if (start >= 2 && text.charCodeAt(start - 1) === SLASH && text.charCodeAt(start - 2) === SLASH) {
        hints.contextual = true;
        continue;
      }
      if (!validLocal(text, start, at) || !validDomain(text.slice(at + 1, end))) continue;
      out.push({ detector: "EMAIL", start, end });
      searchFrom = end;
    }
  },
  normalize: (value) => value.toLowerCase(),
};

const DOT = 46;
const SLASH = 47;
const DASH = 45;

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isLocalChar(c: number): boolean {
  // letters, digits and . _ % + -
  return isAlnum(c) || c === DOT || c === 95 || c === 37 || c === 43 || c === DASH;
}
function isDomainChar(c: number): boolean {
  return isAlnum(c) || c === DOT || c === DASH;
}

function validLocal(text: string, start: number, end: number): boolean {
  if (text.charCodeAt(end - 1) === DOT) return false;
  return !text.slice(start, end).includes("..");
}

/** File extensions that follow '@' in names like `icon@2x.png`; none is a top-level domain. */
const FILE_EXTENSIONS = new Set(["png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "tiff", "heic"]);

function validDomain(domain: string): boolean {
  const labels = domain.split(".");
  if (labels.length < 2) return false;
  for (const label of labels) {
    if (label.length === 0 || label.length > 63) return false;
    if (label.charCodeAt(0) === DASH || label.charCodeAt(label.length - 1) === DASH) return false;
  }
  const tld = labels[labels.length - 1]!;
  return tld.length >= 2 && /^[A-Za-z]+$/.test(tld) && !FILE_EXTENSIONS.has(tld.toLowerCase());
}
