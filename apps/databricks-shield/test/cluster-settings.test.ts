import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { shieldPipelineYaml } from "../src/shield/shield-pipeline.js";
import { readShieldSettings, ShieldConfigError } from "../src/shield/shield-settings.js";

describe("databricks-shield cluster variables", () => {
  const env = {
    DATABRICKS_HOST: "https://adb-1.azuredatabricks.net",
    DATABRICKS_CLIENT_ID: "id",
    DATABRICKS_CLIENT_SECRET: "secret",
    KAFKA_BROKER_HOST: "kafka:9092",
  };

  it("SHIELD_CLUSTER_BROKERS turns cluster mode on and replaces the checkpoint file", () => {
    const doc = parse(
      shieldPipelineYaml(
        readShieldSettings({
          ...env,
          SHIELD_CLUSTER_BROKERS: "k1:9092, k2:9092",
          SHIELD_CLUSTER_SHARDS: "24",
          SHIELD_CLUSTER_CHECKPOINT_TOPIC: "shield.offsets",
        }),
        { intervalSeconds: 60 },
      ),
    ) as Record<string, unknown>;
    expect(doc.cluster).toEqual({
      brokers: ["k1:9092", "k2:9092"],
      group: "databricks-shield",
      checkpointTopic: "shield.offsets",
      shards: 24,
    });
    expect(doc.checkpoints).toBeUndefined();
  });

  it("without it, a single instance keeps its checkpoint file", () => {
    const doc = parse(
      shieldPipelineYaml(readShieldSettings(env), { once: true, deadlineSeconds: 240 }),
    ) as Record<string, unknown>;
    expect(doc.cluster).toBeUndefined();
    expect(doc.checkpoints).toMatchObject({ path: expect.stringMatching(/checkpoints\.json$/) });
  });

  it("names a bad shard count", () => {
    expect(() =>
      readShieldSettings({ ...env, SHIELD_CLUSTER_BROKERS: "k:9092", SHIELD_CLUSTER_SHARDS: "many" }),
    ).toThrow(ShieldConfigError);
    expect(() =>
      readShieldSettings({ ...env, SHIELD_CLUSTER_BROKERS: "k:9092", SHIELD_CLUSTER_SHARDS: "0" }),
    ).toThrow(/SHIELD_CLUSTER_SHARDS/);
  });
});
