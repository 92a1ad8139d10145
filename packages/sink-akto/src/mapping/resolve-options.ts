import { ConfigError } from "@pipekit/core";
import {
  type AktoMappingConfig,
  AktoMappingConfigSchema,
  type AktoMappingOptions,
} from "./mapping-config.js";

/** Defaults applied; bad options give a ConfigError naming each field. */
export function resolveAktoMappingOptions(options: AktoMappingOptions = {}): AktoMappingConfig {
  const result = AktoMappingConfigSchema.safeParse(options);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
    message: issue.message,
  }));
  const lines = issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`).join("\n");
  throw new ConfigError(`Invalid Akto mapping options:\n${lines}`, issues);
}
