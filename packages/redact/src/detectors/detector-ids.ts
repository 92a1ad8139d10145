/**
 * Built-in detector ids, in priority order: when two findings overlap, the one whose detector comes
 * first wins (specific secrets before generic ones, validated PII before loose shapes).
 * Other packages reference these ids in config and when reading `meta.redactions`.
 */
export const DETECTOR_IDS = [
  "PRIVATE_KEY",
  "JWT",
  "AWS_ACCESS_KEY",
  "ANTHROPIC_KEY",
  "OPENAI_KEY",
  "GITHUB_TOKEN",
  "SLACK_TOKEN",
  "GOOGLE_API_KEY",
  "AUTH_HEADER",
  "URL_PASSWORD",
  "GENERIC_SECRET",
  "EMAIL",
  "IBAN",
  "CREDIT_CARD",
  "US_SSN",
  "PHONE",
  "IP_ADDRESS",
] as const;

export type BuiltinDetectorId = (typeof DETECTOR_IDS)[number];

/** Label used for values blocked because of their key name (e.g. `"password": …`). */
export const BLOCKED_KEY = "BLOCKED_KEY";

/** `DETECTORS.EMAIL === "EMAIL"`, for callers who prefer a property to a string literal. */
export const DETECTORS = Object.freeze(
  Object.fromEntries(DETECTOR_IDS.map((id) => [id, id])) as { readonly [K in BuiltinDetectorId]: K },
);
