import { type Detector, type Finding, scanRegex } from "./detector.js";
import { looksLikePlaceholder } from "./validators.js";

/** scheme://user:password@host — only the password is redacted. */
const URL_PASSWORD_RE = /\b[A-Za-z][A-Za-z0-9+.-]*:\/\/([^\s:@/?#"'<>]+):([^\s@/?#"'<>]+)@/g;

export const urlPasswordDetector: Detector = {
  id: "URL_PASSWORD",
  literals: ["://"],
  mayMatch: (text) => text.includes("@"),
  find(text: string, out: Finding[]): void {
    scanRegex(URL_PASSWORD_RE, text, "URL_PASSWORD", out, (m) => {
      const password = m[2]!;
      if (looksLikePlaceholder(password)) return undefined;
      const end = m.index + m[0].length - 1; // before '@'
      return [end - password.length, end];
    });
  },
};
