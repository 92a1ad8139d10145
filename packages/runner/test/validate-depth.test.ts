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
          batch: { max_cont: 5 }
          retry: { max_atempts: 3 }
      checkpoints: { flush_interval: 10 }
      schedule: { onse: true }
    `);
    expect(lines).toEqual([
      `${file}:6:14: sinks[0].batch.max_cont: unknown key "max_cont"; did you mean "max_count"?`,
      `${file}:7:14: sinks[0].retry.max_atempts: unknown key "max_atempts"; did you mean "max_attempts"?`,
      `${file}:8:16: checkpoints.flush_interval: unknown key "flush_interval"; did you mean "flush_interval_ms"?`,
      `${file}:9:11: schedule: expected exactly one of interval_seconds, cron, once; found none`,
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
