import { parseConfig } from "@pipekit/core";
import {
  type AktoMappingConfig,
  AktoMappingConfigSchema,
  type AktoMappingOptions,
} from "./mapping-config.js";

/** Defaults applied; bad options give a ConfigError naming each field. */
export function resolveAktoMappingOptions(options: AktoMappingOptions = {}): AktoMappingConfig {
  return parseConfig(AktoMappingConfigSchema, options, "Akto mapping options");
}
