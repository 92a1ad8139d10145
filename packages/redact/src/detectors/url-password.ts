import type { Detector, Finding } from "./detector.js";
import { looksLikePlaceholder } from "./validators.js";

/** After "scheme:" — `//user:password@`; sticky, tried only where "://" occurs. */
const USERINFO_RE = /\/\/([^\s:@/?#"'<>]+):([^\s@/?#"'<>]+)@/y;
const SCHEME_CHAR = /[A-Za-z0-9+.-]/;

/**
 * scheme://user:password@host — only the password is redacted. Anchored on each "://" (found by
 * indexOf) rather than a regex starting at every word, which re-reads each word of the text.
 */
export const urlPasswordDetector: Detector = {
  id: "URL_PASSWORD",
  literals: ["://"],
  mayMatch: (text) => text.includes("@"),
  find(text: string, out: Finding[]): void {
    for (let at = text.indexOf("://"); at !== -1; at = text.indexOf("://", at + 3)) {
      // A scheme is a letter followed by letters, digits, + . -
      let s = at;
      while (s > 0 && SCHEME_CHAR.test(text[s - 1]!)) s--;
      if (s === at || !/[A-Za-z]/.test(text[s]!)) continue;
      USERINFO_RE.lastIndex = at + 1;
      const m = USERINFO_RE.exec(text);
      if (!m) continue;
      const password = m[2]!;
      if (looksLikePlaceholder(password)) continue;
      const end = m.index + m[0].length - 1; // before '@'
      out.push({ detector: "URL_PASSWORD", start: end - password.length, end });
    }
  },
};
