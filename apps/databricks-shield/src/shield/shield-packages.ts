import { BUILTIN_PACKAGES, type ComponentPackage } from "@pipekit/runner/cli";

/**
 * The component packages the generated pipeline can name: the runner's own (the jsonl_file copy
 * comes from core). Each loads on its own, so a broken Kafka client still leaves an Akto-only setup working.
 */
export const SHIELD_PACKAGES: readonly ComponentPackage[] = BUILTIN_PACKAGES;
