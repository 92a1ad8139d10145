import { ComponentRegistry } from "@pipekit/core";
import { AKTO_BATCH_DEFAULTS, aktoHttpSinkComponent } from "@pipekit/sink-akto/http";
import { afterEach, describe, expect, it } from "vitest";
import { formatIssue } from "../src/config/config-issue.js";
import { prepareConfig } from "../src/config/validate-config.js";
import { scratchDir, TEST_PLUGIN, yaml } from "./helpers.js";

let scratch: ReturnType<typeof scratchDir>;
afterEach(() => scratch?.cleanup());

async function validate(text: string, env: Record<string, string> = {}) {
  scratch = scratchDir();
  const file = scratch.write("pipeline.yaml", text);
  const result = await prepareConfig(file, { registry: new ComponentRegistry(), env });
  return { file, result, lines: result.issues.map(formatIssue) };
}

const header = `plugins: [${JSON.stringify(TEST_PLUGIN)}]`;

describe("pipeline validation", () => {
  it("accepts a good file and resolves components with their defaults", async () => {
    const { result } = await validate(yaml`
      id: ok
      ${header}
      source: { type: test_numbers, count: 5 }
      transforms:
        - { type: test_set_field, field: seen, value: true }
      sinks:
        - { id: out, type: test_file, path: out.jsonl, batch: { maxCount: 10 } }
    `);
    expect(result.issues).toEqual([]);
    expect(result.pipeline?.source.config).toEqual({ count: 5, chunkSize: 1, partition: "numbers" });
    expect(result.pipeline?.sinks[0]).toMatchObject({
      id: "out",
      settings: { batch: { maxCount: 10 } },
      config: { path: "out.jsonl" },
    });
    expect(result.pipeline?.config.schedule).toEqual({ once: true });
  });

  it("gives a sink its component's default batching, each field overridable by the file", async () => {
    scratch = scratchDir();
    const check = async (batch: string) => {
      const registry = new ComponentRegistry();
      registry.register(aktoHttpSinkComponent);
      const file = scratch.write(
        "pipeline.yaml",
        yaml`
          id: defaults
          ${header}
          source: { type: test_numbers, count: 1 }
          sinks:
            - { id: akto, type: akto_http, url: "http://akto:9091"${batch} }
        `,
      );
      const result = await prepareConfig(file, { registry });
      expect(result.issues).toEqual([]);
      return result.pipeline?.sinks[0]?.settings;
    };
    expect(await check("")).toEqual({ batch: AKTO_BATCH_DEFAULTS });
    expect(await check(", batch: { maxCount: 10 }, retry: { maxAttempts: 2 }")).toEqual({
      batch: { ...AKTO_BATCH_DEFAULTS, maxCount: 10 },
      retry: { maxAttempts: 2 },
    });
  });

  it("flags an unknown key with its position and a did-you-mean, at every level", async () => {
    const { file, lines } = await validate(yaml`
      id: typo
      ${header}
      source: { type: test_numbers, cuont: 5 }
      sinks:
        - type: test_file
          path: out.jsonl
          batch:
            lingerMsec: 10
      deadLeter: { path: dl.jsonl }
    `);
    expect(lines).toEqual([
      `${file}:3:31: source.cuont: unknown key "cuont"; did you mean "count"?`,
      `${file}:8:7: sinks[0].batch.lingerMsec: unknown key "lingerMsec"; did you mean "lingerMs"?`,
      `${file}:9:1: deadLeter: unknown key "deadLeter"; did you mean "deadLetter"?`,
    ]);
  });

  it("reports a wrong type with what was expected and what was found", async () => {
    const { file, lines } = await validate(yaml`
      id: types
      ${header}
      source: { type: test_numbers, count: lots }
      sinks: [{ type: test_file, path: out.jsonl, concurrency: "4" }]
    `);
    expect(lines).toEqual([
      `${file}:3:38: source.count: expected number, found string "lots"`,
      `${file}:4:58: sinks[0].concurrency: expected number, found string "4"`,
    ]);
  });

  it("reports missing required fields at the mapping that lacks them", async () => {
    const { file, lines } = await validate(yaml`
      id: missing
      ${header}
      source: { type: test_numbers }
      transforms:
        - type: test_set_field
          value: 1
    `);
    expect(lines).toEqual([
      `${file}:1:1: sinks: missing required field "sinks" (expected array)`,
      `${file}:5:5: transforms[0].field: missing required field "field" (expected string)`,
    ]);
  });

  it("names an unknown component type, suggests the closest and lists the known ones", async () => {
    const { file, lines } = await validate(yaml`
      id: unknown-type
      ${header}
      source: { type: test_numbers }
      transforms: [{ type: test_set_feild, field: a, value: 1 }]
      sinks: [{ type: kafka_magic }]
    `);
    expect(lines).toEqual([
      `${file}:4:22: transforms[0].type: unknown transform type "test_set_feild"; did you mean "test_set_field"? (known transform types: test_reject_if, test_set_field)`,
      `${file}:5:17: sinks[0].type: unknown sink type "kafka_magic" (known sink types: test_fatal, test_file)`,
    ]);
  });

  it("reports every unset variable without a default, and uses defaults and typed values", async () => {
    const { file, result, lines } = await validate(
      yaml`
      id: vars
      ${header}
      source:
        type: test_numbers
        count: \${COUNT}
      sinks:
        - type: test_file
          path: \${OUT_DIR}/out.jsonl
      http:
        port: \${PORT}
    `,
      { COUNT: "7" },
    );
    expect(lines).toEqual([
      `${file}:8:11: sinks[0].path: environment variable OUT_DIR is not set and has no default (use \${OUT_DIR:-default})`,
      `${file}:10:9: http.port: environment variable PORT is not set and has no default (use \${PORT:-default})`,
    ]);
    expect(result.pipeline).toBeUndefined();
  });

  it("turns a whole plain reference into a number, so typed fields accept it", async () => {
    const { result } = await validate(
      yaml`
      id: vars
      ${header}
      source:
        type: test_numbers
        count: \${COUNT}
        partition: "\${PART:-p1}"
      sinks: [{ type: test_file, path: "\${OUT:-o}.jsonl" }]
    `,
      { COUNT: "7" },
    );
    expect(result.issues).toEqual([]);
    expect(result.pipeline?.source.config).toMatchObject({ count: 7, partition: "p1" });
    expect(result.pipeline?.sinks[0]?.config).toMatchObject({ path: "o.jsonl" });
  });

  it("reports bad YAML syntax with its position", async () => {
    const { file, lines } = await validate("id: broken\nsource: { type: test_numbers\nsinks: []\n");
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: YAML syntax: `),
    );
    expect(lines[0]).toMatch(/:3:1: YAML syntax: .*flow/i);
  });

  it("reports a duplicate key as a syntax problem", async () => {
    const { file, lines } = await validate("id: a\nid: b\n");
    expect(lines[0]).toMatch(/pipeline.yaml:2:1: YAML syntax: Map keys must be unique/);
    expect(lines[0]?.startsWith(file)).toBe(true);
  });

  it("never echoes a secret, whether it came from a variable, a file or a secret field", async () => {
    scratch = scratchDir();
    scratch.write("client.secret", "s3cr3t-from-file\n");
    const file = scratch.write(
      "pipeline.yaml",
      yaml`
      id: secrets
      ${header}
      source:
        type: test_numbers
        count: \${file:client.secret}
        token: \${API_TOKEN}
      sinks:
        - type: test_file
          path: out.jsonl
          healthy: literal-secret-in-field
          auth: { token: 12345 }
    `,
    );
    const result = await prepareConfig(file, {
      registry: new ComponentRegistry(),
      env: { API_TOKEN: "tok-abcdef-123" },
    });
    const text = result.issues.map(formatIssue).join("\n");
    expect(result.issues.map((i) => i.path.join("."))).toEqual([
      "source.count",
      "sinks.0.healthy",
      "sinks.0.auth.token",
    ]);
    expect(text).toContain("found ***");
    for (const secret of ["s3cr3t-from-file", "tok-abcdef-123", "12345"]) expect(text).not.toContain(secret);
  });
});
