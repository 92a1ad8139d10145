import { countrySpecs } from "ibantools";
import type { Detector, Finding } from "./detector.js";
import { ibanValid } from "./validators.js";

/** Country code + check digits; the rest is read to the country's exact length (ISO 13616 registry). */
const IBAN_START = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?= ?[A-Z0-9])/g;

export const ibanDetector: Detector = {
  id: "IBAN",
  mayMatch: (_text, hints) => hints.hasDigit,
  find(text: string, out: Finding[]): void {
    IBAN_START.lastIndex = 0;
    for (let m = IBAN_START.exec(text); m !== null; m = IBAN_START.exec(text)) {
      const length = countrySpecs[m[0].slice(0, 2)]?.chars;
      if (!length) continue;
      const end = readIban(text, m.index, length);
      if (end === -1) continue;
      const compact = text.slice(m.index, end).replaceAll(" ", "");
      if (!ibanValid(compact)) continue;
      out.push({ detector: "IBAN", start: m.index, end });
      IBAN_START.lastIndex = end;
    }
  },
  normalize: (value) => value.replaceAll(" ", "").toUpperCase(),
};

/** End index after `length` alphanumerics (single spaces allowed between), or -1. */
function readIban(text: string, start: number, length: number): number {
  let count = 0;
  let i = start;
  while (i < text.length && count < length) {
    const c = text.charCodeAt(i);
    if (isUpperAlnum(c)) {
      count++;
      i++;
    } else if (c === 32 && count > 0 && i + 1 < text.length && isUpperAlnum(text.charCodeAt(i + 1))) {
      i++;
    } else {
      break;
    }
  }
  if (count !== length) return -1;
  // The number must end here, not run on into more letters or digits.
  if (i < text.length && isWordChar(text.charCodeAt(i))) return -1;
  return i;
}

function isUpperAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
}
function isWordChar(c: number): boolean {
  return isUpperAlnum(c) || (c >= 97 && c <= 122) || c === 95;
}
