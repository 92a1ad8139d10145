export interface AllowListConfig {
  /** Exact addresses, case-insensitive. */
  readonly emails?: readonly string[];
  /** Email domains; subdomains are included ("example.com" allows "eu.example.com"). */
  readonly domains?: readonly string[];
  /** Exact values for any detector (a public support number, a documentation IP…). */
  readonly values?: readonly string[];
}

/** Values that are known and fine to keep (the company's own domains, public numbers). */
export class AllowList {
  private readonly emails: ReadonlySet<string>;
  private readonly domains: readonly string[];
  private readonly values: ReadonlySet<string>;
  readonly empty: boolean;

  constructor(config: AllowListConfig = {}) {
    this.emails = new Set((config.emails ?? []).map((e) => e.toLowerCase()));
    this.domains = (config.domains ?? []).map((d) => d.toLowerCase().replace(/^[@.]+/, ""));
    this.values = new Set(config.values ?? []);
    this.empty = this.emails.size === 0 && this.domains.length === 0 && this.values.size === 0;
  }

  allows(detector: string, value: string): boolean {
    if (this.values.has(value)) return true;
    if (detector !== "EMAIL") return false;
    const email = value.toLowerCase();
    if (this.emails.has(email)) return true;
    const domain = email.slice(email.lastIndexOf("@") + 1);
    return this.domains.some((d) => domain === d || domain.endsWith(`.${d}`));
  }
}
