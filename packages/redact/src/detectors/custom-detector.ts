import { type Detector, type Finding, scanRegex, wholeMatch } from "./detector.js";
import { NAMED_VALIDATORS, type ValidatorName } from "./validators.js";

export interface CustomDetectorSpec {
  /** Upper-case id, e.g. "EMPLOYEE_ID"; appears in tokens and reports. */
  readonly name: string;
  /** JavaScript regex source; the whole match is redacted. */
  readonly pattern: string;
  /** Extra regex flags among i, m, s, u ("g" is always added). */
  readonly flags?: string;
  readonly validator?: ValidatorName;
}

/** Throws a SyntaxError naming the detector when the pattern does not compile. */
export function customDetector(spec: CustomDetectorSpec): Detector {
  const flags = `${[...new Set(spec.flags ?? "")].filter((f) => f !== "g").join("")}g`;
  let re: RegExp;
  try {
    re = new RegExp(spec.pattern, flags);
  } catch (error) {
    throw new SyntaxError(`custom detector "${spec.name}": invalid pattern: ${(error as Error).message}`);
  }
  const validate = NAMED_VALIDATORS[spec.validator ?? "none"];
  return {
    id: spec.name,
    custom: true,
    find(text: string, out: Finding[]): void {
      scanRegex(re, text, spec.name, out, (m) => (validate(m[0]) ? wholeMatch(m) : undefined));
    },
  };
}
