import { afterEach, describe, expect, it } from "vitest";
import { formatIssue } from "../src/config/config-issue.js";
import { prepareConfig } from "../src/config/validate-config.js";
import { createDefaultRegistry } from "../src/registry/default-registry.js";
import { scratchDir, yaml } from "./helpers.js";

let scratch: ReturnType<typeof scratchDir>;
afterEach(() => scratch?.cleanup());

/** Validates with the real components (redact, jsonl files), as `pipeline validate` does. */
async function validate(text: string) {
  scratch = scratchDir();
  const file = scratch.write("pipeline.yaml", text);
  const { registry } = await createDefaultRegistry();
  const result = await prepareConfig(file, { registry, env: {} });
  return { file, result, lines: result.issues.map(formatIssue) };
}

describe("misspelled keys at any depth", () => {
  it("finds a misspelled redact detector (an enum-keyed mapping) and a misspelled key inside one", async () => {
    const { file, lines, result } = await validate(yaml`
      id: depth
      source: { type: jsonl_file, path: in.jsonl }
      transforms:
        - type: redact
          detectors:
            EMAILS: { mode: mask }
            PHONE: { mood: remove }
      sinks:
        - { type: jsonl_file, path: out.jsonl }
    `);
    expect(result.pipeline).toBeUndefined();
    expect(lines).toEqual([
      `${file}:6:7: transforms[0].detectors.EMAILS: unknown key "EMAILS"; did you mean "EMAIL"?`,
      `${file}:7:16: transforms[0].detectors.PHONE.mood: unknown key "mood"; did you mean "mode"?`,
    ]);
  });

  it("finds misspelled engine keys under a sink's batch and retry, and under the top-level blocks", async () => {
    const { file, lines } = await validate(yaml`
      id: depth
      source: { type: jsonl_file, path: in.jsonl }
      sinks:
        - type: jsonl_file
          path: out.jsonl
          batch: { maxCont: 5 }
          retry: { maxAtempts: 3 }
      checkpoints: { flushInterval: 10 }
      schedule: { onse: true }
    `);
    expect(lines).toEqual([
      `${file}:6:14: sinks[0].batch.maxCont: unknown key "maxCont"; did you mean "maxCount"?`,
      `${file}:7:14: sinks[0].retry.maxAtempts: unknown key "maxAtempts"; did you mean "maxAttempts"?`,
      `${file}:8:16: checkpoints.flushInterval: unknown key "flushInterval"; did you mean "flushIntervalMs"?`,
      `${file}:9:11: schedule: expected exactly one of intervalSeconds, cron, once; found none`,
      `${file}:9:13: schedule.onse: unknown key "onse"; did you mean "once"?`,
    ]);
  });

  it("never answers 'no problems' for a config it refused", async () => {
    const { result } = await validate(yaml`
      id: depth
      source: { type: jsonl_file, path: in.jsonl }
      transforms:
        - { type: redact, detectors: { NOT_A_DETECTOR_AT_ALL: { mode: mask } } }
      sinks: [{ type: jsonl_file, path: out.jsonl }]
    `);
    expect(result.pipeline).toBeUndefined();
    expect(result.issues.map((i) => i.message)).toEqual(['unknown key "NOT_A_DETECTOR_AT_ALL"']);
  });
});

describe("keys in the old snake_case spelling", () => {
  it("are told that pipeline files spell keys in camelCase, at the top level and at depth", async () => {
    const { file, lines, result } = await validate(yaml`
      id: depth
      source: { type: jsonl_file, path: in.jsonl }
      sinks:
        - type: jsonl_file
          path: out.jsonl
          batch: { max_count: 5 }
      dead_letter: { path: dead.jsonl }
      schedule: { interval_seconds: 60 }
      cluster:
        brokers: ["127.0.0.1:9092"]
        group: shield
        session_timeout_ms: 10000
    `);
    expect(result.pipeline).toBeUndefined();
    const hint = (key: string, camel: string) =>
      `unknown key "${key}" — pipeline files spell keys in camelCase: did you mean "${camel}"?`;
    expect(lines).toEqual([
      `${file}:6:14: sinks[0].batch.max_count: ${hint("max_count", "maxCount")}`,
      `${file}:7:1: dead_letter: ${hint("dead_letter", "deadLetter")}`,
      `${file}:8:11: schedule: expected exactly one of intervalSeconds, cron, once; found none`,
      `${file}:8:13: schedule.interval_seconds: ${hint("interval_seconds", "intervalSeconds")}`,
      `${file}:12:3: cluster.session_timeout_ms: ${hint("session_timeout_ms", "sessionTimeoutMs")}`,
    ]);
  });

  it("keeps the plain did-you-mean for a misspelling that is not a casing", async () => {
    const { lines } = await validate(yaml`
      id: depth
      source: { type: jsonl_file, path: in.jsonl }
      sinks: [{ type: jsonl_file, path: out.jsonl, batch: { max_cuont: 5 } }]
    `);
    expect(lines.join("\n")).toMatch(/unknown key "max_cuont"; did you mean "maxCount"\?/);
  });
});

describe("cluster credentials", () => {
  it("are secrets: a problem next to them never shows them, and the scrubber masks them", async () => {
    const { lines, result } = await validate(yaml`
      id: depth
      source: { type: jsonl_file, path: in.jsonl }
      sinks: [{ type: jsonl_file, path: out.jsonl }]
      cluster:
        brokers: ["127.0.0.1:9092"]
        group: shield
        sasl: { mechanism: plainn, username: svc, password: hunter2-cluster-secret }
    `);
    expect(lines.join("\n")).toMatch(/cluster\.sasl\.mechanism/);
    expect(lines.join("\n")).not.toContain("hunter2-cluster-secret");
    expect(result.secrets.scrubText("pw=hunter2-cluster-secret")).toBe("pw=***");
  });
});
