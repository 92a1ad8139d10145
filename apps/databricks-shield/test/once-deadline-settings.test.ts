import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { shieldPipelineYaml } from "../src/shield/shield-pipeline.js";
import { readShieldSettings } from "../src/shield/shield-settings.js";

describe("databricks-shield -once deadline settings", () => {
  const env = {
    DATABRICKS_HOST: "https://example.cloud.databricks.com",
    DATABRICKS_TOKEN: "dapi-test",
    DATA_INGESTION_SERVICE_URL: "http://127.0.0.1:59998",
  };

  it("defaults to 240 s + a 30 s drain, inside Akto's 300 s, and retries until the deadline", () => {
    const s = readShieldSettings(env);
    const doc = parse(
      shieldPipelineYaml(s, { once: true, deadlineSeconds: s.SHIELD_ONCE_DEADLINE_SECONDS }),
    ) as { schedule: unknown; shutdown: unknown; sinks: { retry: { maxElapsedMs: number } }[] };
    expect(doc.schedule).toEqual({ once: true, deadlineSeconds: 240 });
    expect(doc.shutdown).toEqual({ drainTimeoutSeconds: 30 });
    expect(doc.sinks[0]!.retry.maxElapsedMs).toBe(240_000);
  });

  it("takes SHIELD_ONCE_DEADLINE_SECONDS and names it when it is not a positive number", () => {
    expect(
      readShieldSettings({ ...env, SHIELD_ONCE_DEADLINE_SECONDS: "5" }).SHIELD_ONCE_DEADLINE_SECONDS,
    ).toBe(5);
    expect(() => readShieldSettings({ ...env, SHIELD_ONCE_DEADLINE_SECONDS: "soon" })).toThrow(
      'SHIELD_ONCE_DEADLINE_SECONDS must be a positive number, found "soon"',
    );
  });
});
