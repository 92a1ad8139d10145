import type { Detector, Finding } from "./detector.js";
import { charClasses, looksLikePlaceholder, shannonEntropy } from "./validators.js";

/** The identifier before ':' or '=' must END with one of these ("client_secret", "x-api-key"). */
const KEYWORD_AT_END =
  /(api[_-]?key|apikey|secret[_-]?key|secret|access[_-]?key|private[_-]?key|(?:auth|access|refresh|id|session|bearer)[_-]?token|token|passw(?:or)?d|pwd|passphrase)$/i;
const ASSIGNMENT_OP = /[:=]/g;
/** Sticky, right after the operator: optional spaces and quote, then the value. */
const VALUE_RE = /[ \t]*["']?([^\s"'`,;&<>{}[\]()]+)/y;
const MAX_KEY_LENGTH = 64;

/**
 * `api_key=…`, `"client_secret": "…"`, `password: …` in free text (the JSON walk blocks such keys
 * structurally; this catches them in logs, prompts and query strings). Anchored on each ':' or '='
 * and reading the identifier backwards, which is cheaper than a case-insensitive keyword regex
 * tried at every letter. `max_tokens=4096` and `tokenizer=bert` are not assignments of a token.
 */
export const genericSecretDetector: Detector = {
  id: "GENERIC_SECRET",
  mayMatch: (text) => text.includes("=") || text.includes(":"),
  find(text: string, out: Finding[]): void {
    ASSIGNMENT_OP.lastIndex = 0;
    for (let op = ASSIGNMENT_OP.exec(text); op !== null; op = ASSIGNMENT_OP.exec(text)) {
      const key = identifierBefore(text, op.index);
      if (key === undefined) continue;
      const keyword = KEYWORD_AT_END.exec(key);
      if (!keyword) continue;
      VALUE_RE.lastIndex = op.index + 1;
      const m = VALUE_RE.exec(text);
      if (!m) continue;
      const value = m[1]!;
      if (looksLikePlaceholder(value)) continue;
      const word = keyword[1]!.toLowerCase();
      const isPassword = word.startsWith("pass") || word === "pwd";
      if (!(isPassword ? passwordLike(value) : highEntropy(value))) continue;
      const end = m.index + m[0].length;
      out.push({ detector: "GENERIC_SECRET", start: end - value.length, end });
      ASSIGNMENT_OP.lastIndex = end;
    }
  },
};

/** The identifier ending just before `op` (skipping spaces and one quote), if any. */
function identifierBefore(text: string, op: number): string | undefined {
  let end = op;
  while (end > 0 && (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 9)) end--;
  const q = text.charCodeAt(end - 1);
  if (q === 34 || q === 39) end--;
  let start = end;
  while (start > 0 && end - start < MAX_KEY_LENGTH && isIdentChar(text.charCodeAt(start - 1))) start--;
  return start < end ? text.slice(start, end) : undefined;
}

function isIdentChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 46
  );
}

/** Passwords are often weak, so no entropy bar; but prose ("password: must be…") is not one. */
function passwordLike(value: string): boolean {
  // `pwd: /home/user` is a working directory.
  if (value.length < 6 || /^(?:~?\/|[A-Za-z]:\\)/.test(value)) return false;
  return value.length >= 12 || /[^A-Za-z]/.test(value);
}

/** Keys and tokens are random: long, mixed, high entropy. */
function highEntropy(value: string): boolean {
  return value.length >= 16 && charClasses(value) >= 2 && shannonEntropy(value) >= 3;
}
