import { isValidIBAN } from "ibantools";

/** Luhn (mod 10) check over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** ISO 13616 IBAN check (country length, BBAN format, mod-97) on the electronic form (no spaces). */
export function ibanValid(compact: string): boolean {
  return isValidIBAN(compact);
}

/** ISO 7064 mod-97-10 on an alphanumeric string moved into IBAN order; for custom detectors. */
export function mod97Valid(value: string): boolean {
  const compact = value.replace(/[\s-]/g, "").toUpperCase();
  if (compact.length < 5 || !/^[A-Z0-9]+$/.test(compact)) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const part = code >= 65 ? String(code - 55) : ch;
    for (const digit of part) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

/**
 * US SSN issuance rules: area 001–899 except 666, group 01–99, serial 0001–9999, and not one of the
 * numbers the SSA has declared void because they were published (advertising, examples).
 */
export function ssnValid(area: string, group: string, serial: string): boolean {
  const a = Number(area);
  if (a === 0 || a === 666 || a >= 900) return false;
  if (group === "00" || serial === "0000") return false;
  const whole = `${area}${group}${serial}`;
  return !VOID_SSNS.has(whole);
}
const VOID_SSNS = new Set(["078051120", "219099999", "123456789", "111111111", "333333333"]);

/** Shannon entropy in bits per character. */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Number of character classes present among lower, upper, digit, other. */
export function charClasses(value: string): number {
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let other = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = 1;
    else if (c >= 65 && c <= 90) upper = 1;
    else if (c >= 48 && c <= 57) digit = 1;
    else other = 1;
  }
  return lower + upper + digit + other;
}

/** Values people write where a secret would go: `${VAR}`, `<token>`, `YOUR_API_KEY`, `****`, `xxxx`. */
export function looksLikePlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value) || ENV_VARIABLE.test(value) || /^(.)\1+$/.test(value);
}
/** `$DB_PASSWORD`: upper case only, so a real "$kP9…" password is not taken for one. */
const ENV_VARIABLE = /^\$[A-Z_][A-Z0-9_]*$/;
const PLACEHOLDER = new RegExp(
  [
    String.raw`^\$\{[^}]*\}?$`, // ${VAR}
    String.raw`^%\w+%?$`, // %VAR%
    "^<[^>]*>?$", // <token>
    String.raw`^\{\{.*\}\}$`, // {{ template }}
    String.raw`^\*+$`, // ****
    "^x{3,}", // xxxx…
    String.raw`^(?:your|insert|enter|put)(?:[_\- ]|(?:api)?(?:key|token|secret|pass))`, // YOUR_API_KEY
    String.raw`^(?:example|sample|dummy|fake|test|my|some)?[_\-]?(?:api[_\-]?)?(?:key|token|secret|password|pass|pwd|value)s?$`,
    String.raw`^(?:redacted|changeme|placeholder|null|none|nil|undefined|true|false|string|\.\.\.)$`,
  ].join("|"),
  "i",
);

/** Digits of a string, in order. */
export function digitsOf(value: string): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) out += value[i];
  }
  return out;
}

export type ValidatorName = "none" | "luhn" | "mod97";

/** Validators that custom detectors can name in config. */
export const NAMED_VALIDATORS: Readonly<Record<ValidatorName, (value: string) => boolean>> = {
  none: () => true,
  luhn: (value) => {
    const digits = digitsOf(value);
    return digits.length >= 2 && luhnValid(digits);
  },
  mod97: mod97Valid,
};
