import metadata from "libphonenumber-js/metadata.max.json";

/**
 * The validity test of libphonenumber's `isValidPhoneNumber` for international numbers, on the
 * same metadata, with each pattern compiled once: libphonenumber compiles a `new RegExp` for every
 * pattern it tries on every call (~30 µs a number), which was a tenth of the redaction time.
 * A number is valid when, for a region of its calling code, the national number matches the
 * region's general pattern and the pattern of one number type whose possible lengths include it.
 * Only a "yes" is trusted: a "no" may be a shape libphonenumber still accepts (a "(0)" national
 * prefix, a non-geographic code), so the caller asks libphonenumber then.
 */
type TypeSpec = readonly [pattern: string, possibleLengths?: readonly number[]] | 0 | undefined;
type PlanSpec = readonly unknown[];

const PLAN_GENERAL_PATTERN = 2;
const PLAN_POSSIBLE_LENGTHS = 3;
const PLAN_TYPES = 11;

const callingCodes = metadata.country_calling_codes as unknown as Record<string, readonly string[]>;
const plans = metadata.countries as unknown as Record<string, PlanSpec>;
/** Metadata patterns compiled on first use (the set is fixed: about 2,000 patterns at most). */
const compiled = new Map<string, RegExp>();

function matchesEntirely(national: string, pattern: string): boolean {
  let re = compiled.get(pattern);
  if (re === undefined) {
    re = new RegExp(`^(?:${pattern})$`);
    compiled.set(pattern, re);
  }
  return re.test(national);
}

/** `digits` are the digits after '+'. True only when the number is surely valid. */
export function internationalSurelyValid(digits: string): boolean {
  for (let length = 1; length <= 3 && length < digits.length; length++) {
    const regions = callingCodes[digits.slice(0, length)];
    if (regions === undefined) continue;
    // Calling codes are prefix-free: the first one found is the only one.
    const national = digits.slice(length);
    for (const region of regions) {
      const plan = plans[region];
      if (plan !== undefined && planAccepts(plan, national)) return true;
    }
    return false;
  }
  return false;
}

function planAccepts(plan: PlanSpec, national: string): boolean {
  if (!matchesEntirely(national, plan[PLAN_GENERAL_PATTERN] as string)) return false;
  const types = plan[PLAN_TYPES] as readonly TypeSpec[] | undefined;
  if (!types) return false;
  const planLengths = plan[PLAN_POSSIBLE_LENGTHS] as readonly number[] | undefined;
  for (const type of types) {
    if (type === 0 || type === undefined || type[0] === "") continue;
    const lengths = type[1] ?? planLengths;
    if (lengths && !lengths.includes(national.length)) continue;
    if (matchesEntirely(national, type[0])) return true;
  }
  return false;
}
