import { type Detector, type Finding, scanRegex, suffixSpan } from "./detector.js";
import { charClasses, looksLikePlaceholder, shannonEntropy } from "./validators.js";

/**
 * `api_key=…`, `"client_secret": "…"`, `password: …` in free text (the JSON walk blocks such keys
 * structurally; this catches them in logs, prompts and query strings). The keyword must end the
 * identifier, so `max_tokens=4096` and `tokenizer=bert` are not assignments of a token.
 */
const ASSIGNMENT_RE =
  /(api[_-]?key|apikey|secret[_-]?key|secret|access[_-]?key|private[_-]?key|(?:auth|access|refresh|id|session|bearer)[_-]?token|token|passw(?:or)?d|pwd|passphrase)(?![A-Za-z0-9])["']?[ \t]*[:=][ \t]*["']?([^\s"'`,;&<>{}[\]()]+)/gi;

export const genericSecretDetector: Detector = {
  id: "GENERIC_SECRET",
  // Case variants of the keywords, for the scanner's case-sensitive literal gate.
  literals: [
    "key",
    "Key",
    "KEY",
    "ecret",
    "ECRET",
    "oken",
    "OKEN",
    "assw",
    "ASSW",
    "pwd",
    "PWD",
    "Pwd",
    "assphrase",
    "ASSPHRASE",
  ],
  mayMatch: (text) => text.includes("=") || text.includes(":"),
  find(text: string, out: Finding[]): void {
    scanRegex(ASSIGNMENT_RE, text, "GENERIC_SECRET", out, (m) => {
      const keyword = m[1]!.toLowerCase();
      const value = m[2]!;
      if (looksLikePlaceholder(value)) return undefined;
      const isPassword = keyword.startsWith("pass") || keyword === "pwd";
      return (isPassword ? passwordLike(value) : highEntropy(value)) ? suffixSpan(m, value) : undefined;
    });
  },
};

/** Passwords are often weak, so no entropy bar; but prose ("password: must be…") is not one. */
function passwordLike(value: string): boolean {
  if (value.length < 6) return false;
  return value.length >= 12 || /[^A-Za-z]/.test(value);
}

/** Keys and tokens are random: long, mixed, high entropy. */
function highEntropy(value: string): boolean {
  return value.length >= 16 && charClasses(value) >= 2 && shannonEntropy(value) >= 3;
}
