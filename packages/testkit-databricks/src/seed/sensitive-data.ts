import type { Prng } from "./prng.js";

/** Kinds of sensitive values sprinkled into prompts (what the redaction transform must catch). */
export type SensitiveKind =
  | "email"
  | "credit_card"
  | "us_ssn"
  | "aws_access_key"
  | "openai_key"
  | "phone"
  | "iban";

export interface SensitiveValue {
  kind: SensitiveKind;
  value: string;
}

const FIRST = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"];
const DOMAINS = ["example.com", "acme-corp.io", "mail.example.org", "contoso.net"];
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function sensitiveValue(prng: Prng, kind: SensitiveKind): SensitiveValue {
  switch (kind) {
    case "email":
      return {
        kind,
        value: `${prng.pick(FIRST)}.${prng.pick(FIRST)}${prng.int(1, 99)}@${prng.pick(DOMAINS)}`,
      };
    case "credit_card":
      return { kind, value: luhnCard(prng) };
    case "us_ssn":
      return { kind, value: ssn(prng) };
    case "aws_access_key":
      return { kind, value: `AKIA${Array.from({ length: 16 }, () => prng.pick([...ALNUM])).join("")}` };
    case "openai_key":
      return { kind, value: `sk-proj-${prng.hex(24)}${prng.hex(24).toUpperCase()}` };
    case "phone":
      return { kind, value: usPhone(prng) };
    case "iban":
      return { kind, value: germanIban(prng) };
  }
}

export const SENSITIVE_KINDS: readonly SensitiveKind[] = [
  "email",
  "credit_card",
  "us_ssn",
  "aws_access_key",
  "openai_key",
  "phone",
  "iban",
];

/** A 16-digit Visa-style number whose check digit satisfies Luhn, grouped in fours. */
function luhnCard(prng: Prng): string {
  const digits = [4, ...Array.from({ length: 14 }, () => prng.int(0, 10))];
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // Positions counted from the right once the check digit is appended: double every second.
    let d = digits[digits.length - 1 - i] as number;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  digits.push((10 - (sum % 10)) % 10);
  const s = digits.join("");
  return `${s.slice(0, 4)} ${s.slice(4, 8)} ${s.slice(8, 12)} ${s.slice(12, 16)}`;
}

/** A US SSN that follows the issuance rules (no 000/666/9xx area, no 00 group, no 0000 serial). */
function ssn(prng: Prng): string {
  let area = prng.int(1, 900);
  if (area === 666) area = 667;
  const group = prng.int(1, 100);
  const serial = prng.int(1, 10000);
  return `${String(area).padStart(3, "0")}-${String(group).padStart(2, "0")}-${String(serial).padStart(4, "0")}`;
}

/** A German IBAN with valid mod-97 check digits. */
function germanIban(prng: Prng): string {
  const bban = Array.from({ length: 18 }, () => prng.int(0, 10)).join("");
  // Move "DE00" to the end, letters to numbers (D=13, E=14), then 98 - (n mod 97).
  const numeric = `${bban}131400`;
  let remainder = 0;
  for (const ch of numeric) remainder = (remainder * 10 + Number(ch)) % 97;
  const check = String(98 - remainder).padStart(2, "0");
  return `DE${check}${bban}`;
}

/** Assigned US area codes: a redactor that validates numbers rightly ignores unassigned ones. */
const AREA_CODES = [212, 213, 305, 312, 404, 415, 512, 617, 646, 702, 206, 303, 469, 503, 720, 773, 818, 917];

/**
 * A dialable-looking US number (not the reserved fictional 555-01XX range, which validating
 * detectors such as libphonenumber treat as invalid). Two draws, as before, so the rest of the
 * seeded workspace is unchanged.
 */
function usPhone(prng: Prng): string {
  const area = AREA_CODES[prng.int(0, AREA_CODES.length)]!;
  const subscriber = String(prng.int(2_000_000, 10_000_000));
  // Exchanges 555 (fictional range) and N11 (service codes such as 411 or 911) are not subscriber numbers.
  const first = subscriber.slice(0, 3);
  const exchange = first === "555" ? "556" : first.endsWith("11") ? `${first[0]}21` : first;
  return `+1 (${area}) ${exchange}-${subscriber.slice(3)}`;
}
