import { isIP } from "node:net";
import { z } from "zod";

/** YAML may give ids as numbers (`accountId: 1000000`); Akto wants integer strings. */
const integerString = (fallback: string) =>
  z
    .union([z.string().regex(/^\d+$/, "must be a non-negative integer"), z.number().int().nonnegative()])
    .transform(String)
    .default(fallback);

export const AktoMappingConfigSchema = z.strictObject({
  /** Akto account the traffic belongs to (`akto_account_id`). */
  accountId: integerString("1000000"),
  /** `akto_vxlan_id`; 0 unless Akto told you otherwise. */
  vxlanId: integerString("0"),
  /** Client IP written to every record: Databricks does not record the caller's address. */
  clientIp: z
    .string()
    .refine((ip) => isIP(ip) !== 0, "must be an IPv4 or IPv6 address")
    .default("0.0.0.0"),
  /** Also emit one record per tool call (the agent's outbound API interactions). */
  includeToolCalls: z.boolean().default(true),
  /** Added to every record's tag JSON; the mapping's own keys (gen-ai, ai-agent, source…) win. */
  tagExtras: z.record(z.string(), z.string()).default({}),
});

/** What callers pass: every field optional. */
export type AktoMappingOptions = z.input<typeof AktoMappingConfigSchema>;
/** After defaults. */
export type AktoMappingConfig = z.output<typeof AktoMappingConfigSchema>;
