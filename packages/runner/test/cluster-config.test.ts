import { clusterOptionsSchema } from "@pipekit/cluster-kafka/config";
import { ComponentRegistry } from "@pipekit/core";
import { afterEach, describe, expect, it } from "vitest";
import { toClusterOptions } from "../src/cluster/cluster-config.js";
import { formatIssue } from "../src/config/config-issue.js";
import { prepareConfig } from "../src/config/validate-config.js";
import { scratchDir, TEST_PLUGIN, yaml } from "./helpers.js";

let scratch: ReturnType<typeof scratchDir>;
afterEach(() => scratch?.cleanup());

async function validate(text: string) {
  scratch = scratchDir();
  const file = scratch.write("pipeline.yaml", text);
  const result = await prepareConfig(file, { registry: new ComponentRegistry(), env: {} });
  return { result, lines: result.issues.map(formatIssue) };
}

const base = yaml`
  id: clustered
  plugins: [${JSON.stringify(TEST_PLUGIN)}]
  source: { type: test_numbers, count: 5 }
  sinks:
    - { id: out, type: test_file, path: out.jsonl }
`;

describe("the cluster: block", () => {
  it("is accepted, with topic names defaulting from the group", async () => {
    const { result } = await validate(
      `${base}cluster:\n  brokers: ["127.0.0.1:9092"]\n  group: shield\n  shards: 6\n`,
    );
    expect(result.issues).toEqual([]);
    const cluster = result.pipeline!.config.cluster!;
    // The block is the library's options: its defaults, with the topics named after the group.
    expect(toClusterOptions(cluster)).toEqual(
      clusterOptionsSchema.parse({
        brokers: ["127.0.0.1:9092"],
        group: "shield",
        coordinationTopic: "shield.shards",
        checkpointTopic: "shield.checkpoints",
        shards: 6,
      }),
    );
  });

  it("reports bad values and unknown keys at their place", async () => {
    const { lines } = await validate(
      `${base}cluster:\n  brokers: ["no-port"]\n  group: shield\n  shard: 6\n  sessionTimeoutMs: 10\n`,
    );
    expect(lines.join("\n")).toMatch(/cluster\.brokers\[0\]: must be "host:port"/);
    expect(lines.join("\n")).toMatch(/unknown key "shard"; did you mean "shards"\?/);
    expect(lines.join("\n")).toMatch(/cluster\.sessionTimeoutMs/);
  });

  it("takes the Kafka sink's ssl and sasl settings, passed on as they are", async () => {
    const { result } = await validate(
      `${base}cluster:\n  brokers: ["k:9093"]\n  group: shield\n  ssl: { ca: PEM, rejectUnauthorized: false }\n  sasl: { mechanism: scram-sha-512, username: u, password: pw-1234 }\n`,
    );
    expect(result.issues).toEqual([]);
    expect(toClusterOptions(result.pipeline!.config.cluster!)).toMatchObject({
      ssl: { ca: "PEM", rejectUnauthorized: false },
      sasl: { mechanism: "scram-sha-512", username: "u", password: "pw-1234" },
    });
  });

  it("names the SASL mechanisms it accepts when given another", async () => {
    const { lines } = await validate(
      `${base}cluster:\n  brokers: ["k:9093"]\n  group: shield\n  sasl: { mechanism: gssapi, username: u, password: p }\n`,
    );
    expect(lines.join("\n")).toMatch(
      /cluster\.sasl\.mechanism: expected one of plain, scram-sha-256, scram-sha-512/,
    );
  });

  it("refuses a checkpoint file next to it (checkpoints live in Kafka in a cluster)", async () => {
    const { lines } = await validate(
      `${base}checkpoints: { path: ./c.json }\ncluster:\n  brokers: ["127.0.0.1:9092"]\n  group: shield\n`,
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/checkpoints\.path cannot be used with cluster/);
  });
});
