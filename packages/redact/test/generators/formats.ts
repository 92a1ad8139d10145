/**
 * Arbitraries that build sensitive values from each format's published specification (prefixes,
 * alphabets, lengths, check digits), and look-alikes that break exactly one rule of it. The detector
 * code is never consulted: a generator that agrees with a detector's bug would hide it.
 *
 * Random parts are unbiased (`fc.noBias`): real keys are uniformly random, and fast-check's bias
 * towards small, repetitive values would produce "AKIAAAAAAAAAAAAAAAAA", which no issuer emits and
 * which the detectors rightly take for a placeholder. For the same reason random parts do not shrink:
 * shrinking drives them towards "AAAA…", so a counterexample would show a placeholder instead of the
 * random value that actually failed.
 */
import fc from "fast-check";
import { composeIBAN, countrySpecs, isValidBBAN } from "ibantools";

export interface Sample {
  /** Detector expected to flag the value (positives) or expected NOT to (look-alikes). */
  readonly detector: string;
  /** The value exactly as it would appear in text. */
  readonly value: string;
  /** Which rule of the format the sample exercises, for failure messages. */
  readonly kind: string;
}

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
const BASE32 = `${UPPER}234567`;
const BASE62 = `${UPPER}${LOWER}${DIGITS}`;
const BASE64URL = `${BASE62}-_`;
const HEX = "0123456789abcdef";

/** `length` characters drawn uniformly from `alphabet`. */
export function chars(alphabet: string, length: number): fc.Arbitrary<string> {
  return fc.noShrink(
    fc
      .noBias(fc.array(fc.constantFrom(...alphabet), { minLength: length, maxLength: length }))
      .map((a) => a.join("")),
  );
}
function charsBetween(alphabet: string, min: number, max: number): fc.Arbitrary<string> {
  return fc.noBias(fc.integer({ min, max })).chain((n) => chars(alphabet, n));
}

// ── AWS access key ids: AKIA (long-term) / ASIA (STS) + 16 base32 characters ────────────────────

export const awsKey: fc.Arbitrary<Sample> = fc
  .tuple(fc.constantFrom("AKIA", "ASIA"), fc.oneof(chars(BASE32, 16), chars(UPPER, 16)))
  .map(([prefix, body]) => ({ detector: "AWS_ACCESS_KEY", value: prefix + body, kind: `${prefix} key id` }));

export const awsLookAlike: fc.Arbitrary<Sample> = fc
  .oneof(
    chars(BASE32, 15).map((b) => ({ value: `AKIA${b}`, kind: "15-character body" })),
    chars(BASE32, 17).map((b) => ({ value: `ASIA${b}`, kind: "17-character body" })),
    chars(BASE32, 16).map((b) => ({ value: `akia${b.toLowerCase()}`, kind: "lower case" })),
    fc
      .tuple(fc.constantFrom("AKIB", "AIKA", "ASIB", "AKID"), chars(BASE32, 16))
      .map(([p, b]) => ({ value: p + b, kind: "not an access key prefix" })),
    chars(BASE32, 16).map((b) => ({ value: `XAKIA${b}`, kind: "prefix inside a word" })),
  )
  .map((s) => ({ detector: "AWS_ACCESS_KEY", ...s }));

// ── Payment cards: IIN ranges and lengths of each network, Luhn check digit ─────────────────────

interface CardNetwork {
  readonly name: string;
  /** Inclusive IIN ranges of equal width, e.g. [2221, 2720]. */
  readonly ranges: readonly (readonly [number, number])[];
  readonly lengths: readonly number[];
}

/** Networks' published IIN ranges and lengths (Maestro's 12-digit cards excepted: see README of the test). */
export const CARD_NETWORKS: readonly CardNetwork[] = [
  { name: "Visa", ranges: [[4, 4]], lengths: [13, 16, 19] },
  {
    name: "Mastercard",
    ranges: [
      [51, 55],
      [2221, 2720],
    ],
    lengths: [16],
  },
  {
    name: "Amex",
    ranges: [
      [34, 34],
      [37, 37],
    ],
    lengths: [15],
  },
  {
    name: "Discover",
    ranges: [
      [6011, 6011],
      [644, 649],
      [65, 65],
    ],
    lengths: [16, 17, 18, 19],
  },
  { name: "JCB", ranges: [[3528, 3589]], lengths: [16, 17, 18, 19] },
  {
    name: "Diners",
    ranges: [
      [36, 36],
      [38, 39],
      [300, 305],
      [3095, 3095],
    ],
    lengths: [14, 15, 16, 17, 18, 19],
  },
  { name: "UnionPay", ranges: [[62, 62]], lengths: [16, 17, 18, 19] },
  {
    name: "Maestro",
    ranges: [
      [5018, 5018],
      [5020, 5020],
      [5038, 5038],
      [5893, 5893],
      [6304, 6304],
      [6759, 6759],
      [6761, 6763],
    ],
    lengths: [13, 14, 15, 16, 17, 18, 19],
  },
  { name: "Mir", ranges: [[2200, 2204]], lengths: [16, 17, 18, 19] },
];

/** The Luhn check digit that completes `partial` (all digits but the last). */
export function luhnCheckDigit(partial: string): number {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    // Counting from the right once the check digit is appended, every second digit is doubled.
    let d = partial.charCodeAt(partial.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** How the number is printed: contiguous, in groups of four, or the Amex/Diners 4-6-5 / 4-6-4. */
function printCard(digits: string, style: "plain" | "spaces" | "dashes"): string {
  if (style === "plain") return digits;
  const sep = style === "spaces" ? " " : "-";
  if (digits.length === 15 || digits.length === 14) {
    return [digits.slice(0, 4), digits.slice(4, 10), digits.slice(10)].join(sep);
  }
  return (digits.match(/.{1,4}/g) ?? []).join(sep);
}

const cardNumber: fc.Arbitrary<{ network: string; digits: string; style: "plain" | "spaces" | "dashes" }> = fc
  .constantFrom(...CARD_NETWORKS)
  .chain((network) =>
    fc.tuple(
      fc.constant(network.name),
      fc.constantFrom(...network.ranges).chain(([lo, hi]) => fc.integer({ min: lo, max: hi })),
      fc.constantFrom(...network.lengths),
      fc.constantFrom("plain" as const, "spaces" as const, "dashes" as const),
    ),
  )
  .chain(([network, iin, length, style]) =>
    chars(DIGITS, length - String(iin).length - 1).map((rest) => {
      const partial = `${iin}${rest}`;
      return { network, digits: `${partial}${luhnCheckDigit(partial)}`, style };
    }),
  );

export const card: fc.Arbitrary<Sample> = cardNumber.map(({ network, digits, style }) => ({
  detector: "CREDIT_CARD",
  value: printCard(digits, style),
  kind: `${network} ${digits.length} digits, ${style}`,
}));

/**
 * True when a grouped number minus its last group(s) is itself a valid card: "4111 1111 1111 1111 2"
 * reads as a card followed by a digit, and redacting it is right, so it is no look-alike.
 */
function hasCardPrefix(printed: string): boolean {
  const groups = printed.split(/[ -]/);
  for (let n = groups.length - 1; n > 0; n--) {
    const digits = groups.slice(0, n).join("");
    if (digits.length >= 13 && luhnCheckDigit(digits.slice(0, -1)) === Number(digits.at(-1))) return true;
  }
  return false;
}

export const cardLookAlike: fc.Arbitrary<Sample> = fc
  .oneof(
    cardNumber
      .map(({ digits, style }) => {
        const last = Number(digits.at(-1));
        const wrong = `${digits.slice(0, -1)}${(last + 1) % 10}`;
        return { value: printCard(wrong, style), kind: "Luhn check digit off by one" };
      })
      .filter((s) => !hasCardPrefix(s.value)),
    // Same length and a valid Luhn digit, but under no network's IIN (0, 1, 7, 8, 9 lead no card range).
    fc
      .tuple(fc.constantFrom("0", "1", "7", "9"), fc.integer({ min: 13, max: 19 }))
      .chain(([lead, length]) => chars(DIGITS, length - 2).map((rest) => `${lead}${rest}`))
      .map((partial) => ({ value: `${partial}${luhnCheckDigit(partial)}`, kind: "no network's IIN" })),
  )
  .map((s) => ({ detector: "CREDIT_CARD", ...s }));

// ── IBANs: every country of the ISO 13616 registry (ibantools' countrySpecs), mod-97 ─────────────

/** `[0-9]{5}[A-Z0-9]{11}` → parts; the registry's BBAN formats are concatenations of such classes. */
function bbanParts(regexp: string): { alphabet: string; length: number }[] {
  const parts: { alphabet: string; length: number }[] = [];
  for (const m of regexp.matchAll(/\[([^\]]+)\]\{(\d+)\}/g)) {
    const cls = m[1]!;
    const alphabet = (cls.includes("A-Z") ? UPPER : "") + (cls.includes("0-9") ? DIGITS : "");
    parts.push({ alphabet, length: Number(m[2]) });
  }
  return parts;
}

export const IBAN_COUNTRIES: readonly string[] = Object.keys(countrySpecs)
  .filter((code) => countrySpecs[code]?.chars && countrySpecs[code]?.bban_regexp)
  .sort();

/**
 * A BBAN of the country's registry format. Some countries add a national check (FR's RIB key, BE,
 * ES, NO, PL…): candidates are drawn from one seeded stream until the national rule accepts one,
 * which takes ~100 draws at worst (two mod-11 digits).
 */
function bban(country: string, seed: number): string {
  const spec = countrySpecs[country]!;
  const parts = bbanParts(String(spec.bban_regexp));
  let state = seed >>> 0 || 1;
  const next = (n: number) => {
    // xorshift32: deterministic per fast-check seed, so failures replay and shrink.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  for (let attempt = 0; attempt < 100_000; attempt++) {
    let candidate = "";
    for (const { alphabet, length } of parts) {
      for (let i = 0; i < length; i++) candidate += alphabet[next(alphabet.length)];
    }
    if (isValidBBAN(candidate, country)) return candidate;
  }
  throw new Error(`no valid BBAN drawn for ${country}`);
}

const ibanCompact: fc.Arbitrary<{ country: string; iban: string }> = fc
  .tuple(fc.constantFrom(...IBAN_COUNTRIES), fc.noBias(fc.integer({ min: 1, max: 0x7fffffff })))
  .map(([country, seed]) => {
    const iban = composeIBAN({ countryCode: country, bban: bban(country, seed) });
    if (!iban) throw new Error(`ibantools could not compose an IBAN for ${country}`);
    return { country, iban };
  });

/** Printed ("paper") form: groups of four separated by single spaces. */
function printIban(iban: string): string {
  return (iban.match(/.{1,4}/g) ?? []).join(" ");
}

export const iban: fc.Arbitrary<Sample> = fc
  .tuple(ibanCompact, fc.boolean())
  .map(([{ country, iban }, printed]) => ({
    detector: "IBAN",
    value: printed ? printIban(iban) : iban,
    kind: `${country} ${printed ? "printed" : "electronic"}`,
  }));

export const ibanLookAlike: fc.Arbitrary<Sample> = fc
  .oneof(
    ibanCompact.map(({ iban }) => {
      const check = Number(iban.slice(2, 4));
      const wrong = String(check === 98 ? 2 : check + 1).padStart(2, "0");
      return { value: `${iban.slice(0, 2)}${wrong}${iban.slice(4)}`, kind: "mod-97 check digits off by one" };
    }),
    ibanCompact.map(({ iban }) => ({ value: iban.slice(0, -1), kind: "one character short" })),
    ibanCompact.map(({ iban }) => ({ value: `QZ${iban.slice(2)}`, kind: "no such country" })),
  )
  .map((s) => ({ detector: "IBAN", ...s }));

// ── US SSNs: area 001–899 except 666, group 01–99, serial 0001–9999 ──────────────────────────────

const pad = (n: number, width: number) => String(n).padStart(width, "0");
/** Numbers the SSA voided because they were published; valid in shape, never issued. */
const VOID = new Set(["078051120", "219099999", "123456789"]);

export const ssn: fc.Arbitrary<Sample> = fc
  .tuple(
    fc.integer({ min: 1, max: 899 }).filter((a) => a !== 666),
    fc.integer({ min: 1, max: 99 }),
    fc.integer({ min: 1, max: 9999 }),
    fc.constantFrom("-", " "),
  )
  .filter(([a, g, s]) => !VOID.has(`${pad(a, 3)}${pad(g, 2)}${pad(s, 4)}`))
  .map(([a, g, s, sep]) => ({
    detector: "US_SSN",
    value: [pad(a, 3), pad(g, 2), pad(s, 4)].join(sep),
    kind: sep === "-" ? "dashed" : "spaced",
  }));

export const ssnLookAlike: fc.Arbitrary<Sample> = fc
  .oneof(
    fc.tuple(
      fc.constantFrom(0, 666, 900, 950, 999),
      fc.integer({ min: 1, max: 99 }),
      fc.integer({ min: 1, max: 9999 }),
    ),
    fc.tuple(fc.integer({ min: 1, max: 665 }), fc.constant(0), fc.integer({ min: 1, max: 9999 })),
    fc.tuple(fc.integer({ min: 1, max: 665 }), fc.integer({ min: 1, max: 99 }), fc.constant(0)),
  )
  .map(([a, g, s]) => ({
    detector: "US_SSN",
    value: `${pad(a, 3)}-${pad(g, 2)}-${pad(s, 4)}`,
    kind: "never issued (area, group or serial)",
  }));

// ── JWTs: base64url(header).base64url(claims).signature of the algorithm's length ───────────────

/** Signature bytes per algorithm family: HMAC-SHA256 32, RSA-2048 256, ECDSA P-256 64. */
const JWT_ALGS: readonly (readonly [string, number])[] = [
  ["HS256", 32],
  ["HS512", 64],
  ["RS256", 256],
  ["ES256", 64],
  ["PS256", 256],
  ["EdDSA", 64],
];
const b64url = (s: string) => Buffer.from(s, "utf8").toString("base64url");

const claims = fc.record(
  {
    sub: charsBetween(BASE62, 1, 24),
    iat: fc.integer({ min: 1_500_000_000, max: 2_000_000_000 }),
    exp: fc.integer({ min: 1_500_000_000, max: 2_000_000_000 }),
    email: fc.constantFrom("a@example.com", "ops@contoso.net"),
    scope: fc.constantFrom("read", "read write", "openid profile"),
  },
  { requiredKeys: ["sub"] },
);

export const jwt: fc.Arbitrary<Sample> = fc
  .tuple(fc.constantFrom(...JWT_ALGS), fc.option(charsBetween(BASE62, 4, 16), { nil: undefined }), claims)
  .chain(([[alg, bytes], kid, body]) =>
    fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((sig) => {
      const header = JSON.stringify(kid === undefined ? { alg, typ: "JWT" } : { alg, typ: "JWT", kid });
      return {
        detector: "JWT",
        value: `${b64url(header)}.${b64url(JSON.stringify(body))}.${Buffer.from(sig).toString("base64url")}`,
        kind: `${alg}${kid ? " with kid" : ""}`,
      };
    }),
  );

export const jwtLookAlike: fc.Arbitrary<Sample> = fc
  .oneof(
    // A header that is base64url but not JSON with an "alg".
    fc.tuple(fc.constantFrom('{"typ":"JWT"}', '{"kid":"k1"}'), chars(BASE64URL, 43)).map(([h, sig]) => ({
      value: `${b64url(h)}.${b64url('{"sub":"1"}')}.${sig}`,
      kind: "header without alg",
    })),
    // Signed algorithm, signature missing.
    claims.map((c) => ({
      value: `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(JSON.stringify(c))}.`,
      kind: "HS256 without signature",
    })),
    // Claims that are not JSON.
    chars(BASE64URL, 43).map((sig) => ({
      value: `${b64url('{"alg":"HS256"}')}.${b64url("not json at all")}.${sig}`,
      kind: "payload not JSON",
    })),
  )
  .map((s) => ({ detector: "JWT", ...s }));

// ── Vendor keys, in the lengths their issuers document ──────────────────────────────────────────

export const githubToken: fc.Arbitrary<Sample> = fc.oneof(
  // Classic tokens: prefix + 30 random + 6 checksum characters = 36 base62.
  fc
    .tuple(fc.constantFrom("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), chars(BASE62, 36))
    .map(([p, b]) => ({ detector: "GITHUB_TOKEN", value: p + b, kind: `${p} classic` })),
  // Fine-grained personal access tokens: github_pat_ + 22 + "_" + 59.
  fc.tuple(chars(BASE62, 22), chars(BASE62, 59)).map(([a, b]) => ({
    detector: "GITHUB_TOKEN",
    value: `github_pat_${a}_${b}`,
    kind: "fine-grained",
  })),
);

export const slackToken: fc.Arbitrary<Sample> = fc.oneof(
  // Bot: xoxb-<team id digits>-<bot id digits>-<24 alnum>.
  fc.tuple(chars(DIGITS, 12), chars(DIGITS, 13), chars(BASE62, 24)).map(([t, b, s]) => ({
    detector: "SLACK_TOKEN",
    value: `xoxb-${t}-${b}-${s}`,
    kind: "bot",
  })),
  // User: xoxp-<team>-<user>-<app>-<32 hex>.
  fc
    .tuple(chars(DIGITS, 12), chars(DIGITS, 12), chars(DIGITS, 13), chars(HEX, 32))
    .map(([t, u, a, h]) => ({ detector: "SLACK_TOKEN", value: `xoxp-${t}-${u}-${a}-${h}`, kind: "user" })),
  // Rotating tokens and their refresh tokens: xoxe.xoxp-1-… / xoxe-1-… + ~140 base62.
  fc.tuple(fc.constantFrom("xoxe.xoxp-1-", "xoxe.xoxb-1-", "xoxe-1-"), chars(BASE62, 140)).map(([p, b]) => ({
    detector: "SLACK_TOKEN",
    value: p + b,
    kind: p.startsWith("xoxe.") ? "rotating" : "refresh",
  })),
  // App-level: xapp-1-<app id>-<digits>-<64 hex>.
  fc
    .tuple(chars(`${UPPER}${DIGITS}`, 10), chars(DIGITS, 13), chars(HEX, 64))
    .map(([id, n, h]) => ({ detector: "SLACK_TOKEN", value: `xapp-1-A${id}-${n}-${h}`, kind: "app-level" })),
);

export const openaiKey: fc.Arbitrary<Sample> = fc.oneof(
  // Legacy user keys: sk- + 20 + "T3BlbkFJ" + 20.
  fc.tuple(chars(BASE62, 20), chars(BASE62, 20)).map(([a, b]) => ({
    detector: "OPENAI_KEY",
    value: `sk-${a}T3BlbkFJ${b}`,
    kind: "legacy",
  })),
  // Project, service-account and admin keys: sk-<kind>- + ~156 base64url characters.
  fc
    .tuple(fc.constantFrom("proj", "svcacct", "admin"), chars(BASE64URL, 74), chars(BASE64URL, 74))
    .map(([k, a, b]) => ({ detector: "OPENAI_KEY", value: `sk-${k}-${a}T3BlbkFJ${b}`, kind: k })),
);

export const anthropicKey: fc.Arbitrary<Sample> = fc
  .tuple(fc.constantFrom("api03", "admin01"), chars(BASE64URL, 93))
  .map(([k, b]) => ({ detector: "ANTHROPIC_KEY", value: `sk-ant-${k}-${b}AA`, kind: k }));

/** Google API keys: AIza + 35 characters of [0-9A-Za-z_-] (39 in all). */
export const googleKey: fc.Arbitrary<Sample> = chars(BASE64URL, 35).map((b) => ({
  detector: "GOOGLE_API_KEY",
  value: `AIza${b}`,
  kind: "API key",
}));

export const vendorLookAlike: fc.Arbitrary<Sample> = fc.oneof(
  chars(BASE62, 20).map((b) => ({ detector: "GITHUB_TOKEN", value: `ghp_${b}`, kind: "too short" })),
  chars(BASE62, 36).map((b) => ({ detector: "GITHUB_TOKEN", value: `gha_${b}`, kind: "no such prefix" })),
  chars(BASE62, 20).map((b) => ({ detector: "OPENAI_KEY", value: `sk-${b}`, kind: "too short" })),
  fc.constant({ detector: "OPENAI_KEY", value: `sk-${"x".repeat(48)}`, kind: "placeholder" }),
  chars(BASE64URL, 30).map((b) => ({ detector: "GOOGLE_API_KEY", value: `AIza${b}`, kind: "too short" })),
  chars(BASE64URL, 35).map((b) => ({
    detector: "GOOGLE_API_KEY",
    value: `AIzb${b}`,
    kind: "no such prefix",
  })),
  chars(BASE62, 24).map((b) => ({
    detector: "SLACK_TOKEN",
    value: `xoxq-1234567-${b}`,
    kind: "no such kind",
  })),
);

export const ALL_POSITIVES: readonly (readonly [string, fc.Arbitrary<Sample>])[] = [
  ["AWS access key ids", awsKey],
  ["payment cards", card],
  ["IBANs", iban],
  ["US SSNs", ssn],
  ["JWTs", jwt],
  ["GitHub tokens", githubToken],
  ["Slack tokens", slackToken],
  ["OpenAI keys", openaiKey],
  ["Anthropic keys", anthropicKey],
  ["Google API keys", googleKey],
];

export const ALL_LOOK_ALIKES: readonly (readonly [string, fc.Arbitrary<Sample>])[] = [
  ["AWS access key ids", awsLookAlike],
  ["payment cards", cardLookAlike],
  ["IBANs", ibanLookAlike],
  ["US SSNs", ssnLookAlike],
  ["JWTs", jwtLookAlike],
  ["vendor keys", vendorLookAlike],
];
