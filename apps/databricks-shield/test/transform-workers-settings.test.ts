import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { shieldPipelineYaml } from "../src/shield/shield-pipeline.js";
import { readShieldSettings } from "../src/shield/shield-settings.js";

describe("databricks-shield SHIELD_TRANSFORM_WORKERS", () => {
  const env = {
    DATABRICKS_HOST: "https://example.cloud.databricks.com",
    DATABRICKS_TOKEN: "dapi-test",
    KAFKA_BROKER_HOST: "127.0.0.1:9092",
  };
  const pipelineOf = (extra: Record<string, string>) => {
    const s = readShieldSettings({ ...env, ...extra });
    return parse(shieldPipelineYaml(s, { once: true, deadlineSeconds: 240 })) as Record<string, unknown>;
  };

  it("runs the transforms on the main thread unless asked", () => {
    expect(pipelineOf({})).not.toHaveProperty("transformWorkers");
    expect(pipelineOf({ SHIELD_TRANSFORM_WORKERS: "0" })).not.toHaveProperty("transformWorkers");
  });

  it("puts redaction and the Akto mapping in that many worker threads", () => {
    const doc = pipelineOf({ SHIELD_TRANSFORM_WORKERS: " 3 " });
    expect(doc.transformWorkers).toBe(3);
    expect((doc.transforms as { type: string }[]).map((t) => t.type)).toEqual(["redact", "akto_mapping"]);
  });

  it.each(["two", "-1", "1.5", "65"])("names the variable and the value when it is %j", (value) => {
    expect(() => readShieldSettings({ ...env, SHIELD_TRANSFORM_WORKERS: value })).toThrow(
      `SHIELD_TRANSFORM_WORKERS must be a whole number from 0 to 64, found "${value}"`,
    );
  });
});
