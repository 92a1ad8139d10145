import type { CountryCode } from "libphonenumber-js/max";
import {
  DEFAULT_BLOCK_KEYS,
  parseRedactConfig,
  type RedactConfig,
  type RedactConfigInput,
} from "../config/redact-config.js";
import { builtinDetectors } from "../detectors/builtin-detectors.js";
import { customDetector } from "../detectors/custom-detector.js";
import { BLOCKED_KEY } from "../detectors/detector-ids.js";
import { AllowList } from "../text/allow-list.js";
import { Pseudonymizer } from "../text/redaction-token.js";
import { type ActiveDetector, TextRedactor } from "../text/text-redactor.js";
import { blockedKeyMatcher } from "../walk/blocked-keys.js";
import { PathMatcher } from "../walk/path-matcher.js";
import { ValueWalker, type WalkSettings } from "../walk/value-walker.js";
import type { RedactionReport } from "./redaction-report.js";

export interface Redactor {
  /** Redacts any JSON-like value (objects, arrays, strings; JSON inside strings too). Never mutates `value`. */
  redactValue<T>(value: T): { value: T; report: RedactionReport };
  /** Redacts one string; if it holds JSON, the JSON is walked like a value and re-serialised. */
  redactText(text: string): { text: string; report: RedactionReport };
  /** Ids of the detectors that run, in priority order (built-ins, then custom). */
  readonly detectorIds: readonly string[];
}

/** Builds a redactor; throws ConfigError (naming each bad field, never a secret) on invalid config. */
export function createRedactor(config: RedactConfigInput = {}): Redactor {
  const settings = walkSettings(parseRedactConfig(config));
  const run = (value: unknown) => {
    const walker = new ValueWalker(settings);
    const redacted = walker.walk(value);
    return { value: redacted, report: walker.report.build() };
  };
  return {
    redactValue<T>(value: T) {
      const { value: redacted, report } = run(value);
      return { value: redacted as T, report };
    },
    redactText(text: string) {
      const { value: redacted, report } = run(text);
      return { text: redacted as string, report };
    },
    detectorIds: settings.detectorIds,
  };
}

export function walkSettings(config: RedactConfig): WalkSettings & { detectorIds: readonly string[] } {
  const modeOf = (id: string, explicit?: RedactConfig["defaultMode"]) =>
    explicit ?? config.detectors[id as keyof RedactConfig["detectors"]]?.mode ?? config.defaultMode;
  const only = config.only ? new Set(config.only) : undefined;
  const enabled = (id: string) =>
    only ? only.has(id) : config.detectors[id as keyof RedactConfig["detectors"]]?.enabled !== false;

  const active: ActiveDetector[] = [];
  for (const [id, detector] of builtinDetectors({ phoneRegion: config.phoneRegion as CountryCode })) {
    if (enabled(id)) active.push({ detector, mode: modeOf(id) });
  }
  for (const spec of config.custom) {
    active.push({ detector: customDetector(spec), mode: modeOf(spec.name, spec.mode) });
  }
  const pseudonymizer = config.hmacKey === undefined ? undefined : new Pseudonymizer(config.hmacKey);
  return {
    text: new TextRedactor(active, new AllowList(config.allow), pseudonymizer),
    skip: new PathMatcher(config.skipPaths),
    isBlockedKey: blockedKeyMatcher([...DEFAULT_BLOCK_KEYS, ...config.blockKeys]),
    blockMode: enabled(BLOCKED_KEY) ? modeOf(BLOCKED_KEY) : undefined,
    pseudonymizer,
    detectorIds: active.map((a) => a.detector.id),
  };
}
