import { type Detector, type Finding, scanRegex } from "./detector.js";
import { digitsOf, ssnValid } from "./validators.js";

const SSN_RE = /(?<![\w\-.])(\d{3})([- ])(\d{2})\2(\d{4})(?![\w-]|\.\d)/g;
/** Nine bare digits are an SSN only when the text says so nearby ("SSN: 123456789"). */
const BARE_SSN_RE = /(?<![\w\-.])(\d{3})(\d{2})(\d{4})(?![\w-]|\.\d)/g;
const SSN_CONTEXT = /\b(?:ssn|ss#|social security(?: number| no\.?)?)\b/i;
const CONTEXT_WINDOW = 40;

export const usSsnDetector: Detector = {
  id: "US_SSN",
  mayMatch: (_text, hints) => hints.hasDigit,
  find(text: string, out: Finding[]): void {
    scanRegex(SSN_RE, text, "US_SSN", out, (m) =>
      ssnValid(m[1]!, m[3]!, m[4]!) ? [m.index, m.index + m[0].length] : undefined,
    );
    if (!SSN_CONTEXT.test(text)) return;
    scanRegex(BARE_SSN_RE, text, "US_SSN", out, (m) => {
      if (!ssnValid(m[1]!, m[2]!, m[3]!)) return undefined;
      const before = text.slice(Math.max(0, m.index - CONTEXT_WINDOW), m.index);
      return SSN_CONTEXT.test(before) ? [m.index, m.index + m[0].length] : undefined;
    });
  },
  normalize: digitsOf,
};
