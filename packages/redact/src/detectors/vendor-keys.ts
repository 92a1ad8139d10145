import { type Detector, type Finding, scanRegex, wholeMatch } from "./detector.js";
import { charClasses, shannonEntropy } from "./validators.js";

/**
 * Cloud and vendor keys with a recognisable prefix. Each pre-check is a literal `includes`, so a
 * text without the prefix costs one memchr-like scan per vendor.
 */
interface VendorKey {
  readonly id: string;
  readonly prefixes: readonly string[];
  readonly re: RegExp;
  /** The fixed part of the key, removed before judging the randomness of the rest. */
  readonly prefix: RegExp;
  /** The random part must look random: placeholders like sk-xxxxxxxx… fail. */
  readonly minEntropy: number;
  /** Character classes (lower, upper, digit, other) the random part must mix; default 2. */
  readonly minClasses?: number;
}

const VENDOR_KEYS: readonly VendorKey[] = [
  {
    id: "AWS_ACCESS_KEY",
    prefixes: ["AKIA", "ASIA", "ABIA", "ACCA", "A3T"],
    re: /(?<![\w-])(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?![\w-])/g,
    prefix: /^(?:AKIA|ASIA|ABIA|ACCA|A3T.)/,
    // Key ids are 16 of base32 [A-Z2-7], upper case only: a body may have no digit at all, so no
    // mix of classes is asked. Random bodies stay above 2.4 bits/char (1M draws); 2.0 still turns
    // away AKIAXXXX…, AKIAAAAA… and four-symbol patterns.
    minEntropy: 2,
    minClasses: 1,
  },
  {
    id: "ANTHROPIC_KEY",
    prefixes: ["sk-ant-"],
    re: /(?<![\w-])sk-ant-(?:[a-z]+\d{2}-)?[A-Za-z0-9_-]{32,}(?![\w-])/g,
    prefix: /^sk-ant-(?:[a-z]+\d{2}-)?/,
    minEntropy: 3.5,
  },
  {
    id: "OPENAI_KEY",
    prefixes: ["sk-"],
    re: /(?<![\w-])sk-(?!ant-)(?:(?:proj|svcacct|admin|None)-)?[A-Za-z0-9_-]{32,}(?![\w-])/g,
    prefix: /^sk-(?:(?:proj|svcacct|admin|None)-)?/,
    minEntropy: 3.5,
  },
  {
    id: "GITHUB_TOKEN",
    prefixes: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
    re: /(?<![\w-])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,255})(?![\w-])/g,
    prefix: /^(?:gh[pousr]_|github_pat_)/,
    minEntropy: 3.5,
  },
  {
    id: "SLACK_TOKEN",
    prefixes: ["xox", "xapp-"],
    // Bot/user/legacy tokens (xoxb-<team>-<id>-<secret>), refresh and rotating config tokens
    // (xoxe-1-…, xoxe.xoxp-1-…) and app-level tokens (xapp-1-<app id>-<n>-<hex>).
    re: /(?<![\w-])(?:xox[abposre]-(?:\d{6,}-){1,3}[A-Za-z0-9-]{10,}|xoxe(?:\.xox[bp])?-\d-[A-Za-z0-9-]{40,}|xapp-\d-[A-Z0-9]{8,}-\d{6,}-[A-Za-z0-9]{32,})(?![\w-])/g,
    prefix: /^(?:xox.-(?:\d+-)+|xoxe(?:\.xox.)?-\d-|xapp-\d-[A-Z0-9]+-\d+-)/,
    // User-token secrets are 32 hex digits: over a million random ones the lowest entropy seen was
    // 2.8 bits/char (3 rejected a real one, found by the format generator); placeholders stay < 2.
    minEntropy: 2.5,
  },
  {
    id: "GOOGLE_API_KEY",
    prefixes: ["AIza"],
    re: /(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])/g,
    prefix: /^AIza/,
    minEntropy: 3.5,
  },
];

export const vendorKeyDetectors: readonly Detector[] = VENDOR_KEYS.map(vendorDetector);

function vendorDetector(key: VendorKey): Detector {
  return {
    id: key.id,
    literals: key.prefixes,
    find(text: string, out: Finding[]): void {
      scanRegex(key.re, text, key.id, out, (m) => {
        const value = m[0];
        const body = value.replace(key.prefix, "");
        if (shannonEntropy(body) < key.minEntropy || charClasses(body) < (key.minClasses ?? 2))
          return undefined;
        return wholeMatch(m);
      });
    },
  };
}
