import { type Detector, type Finding, type NumericWindow, scanWindow, type TextHints } from "./detector.js";
import { digitsOf, ssnValid } from "./validators.js";

const SSN_RE = /(?<![\w\-.])(\d{3})([- ])(\d{2})\2(\d{4})(?![\w-]|\.\d)/g;
/** Nine bare digits are an SSN only when the text says so nearby ("SSN: 123456789"). */
const BARE_SSN_RE = /(?<![\w\-.])(\d{3})(\d{2})(\d{4})(?![\w-]|\.\d)/g;
const SSN_CONTEXT = /\b(?:ssn|ss#|social security(?: number| no\.?)?)\b/i;
const CONTEXT_WINDOW = 40;

export const usSsnDetector: Detector = {
  id: "US_SSN",
  findInWindow(text: string, window: NumericWindow, out: Finding[], hints: TextHints): void {
    if (window.digits < 9) return;
    scanWindow(SSN_RE, window, "US_SSN", out, (m, start) =>
      ssnValid(m[1]!, m[3]!, m[4]!) ? start + m[0].length : undefined,
    );
    scanWindow(BARE_SSN_RE, window, "US_SSN", out, (m, start) => {
      if (!ssnValid(m[1]!, m[2]!, m[3]!)) return undefined;
      const before = text.slice(Math.max(0, start - CONTEXT_WINDOW), start);
      if (SSN_CONTEXT.test(before)) return start + m[0].length;
      hints.contextual = true;
      return undefined;
    });
  },
  normalize: digitsOf,
};
