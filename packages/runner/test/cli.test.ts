import { existsSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, scratchDir, TEST_PLUGIN, yaml } from "./helpers.js";

let scratch: ReturnType<typeof scratchDir>;
afterEach(() => scratch?.cleanup());

describe("pipeline CLI", () => {
  it("`test` passes good config tests and fails a broken one with a readable diff", async () => {
    scratch = scratchDir();
    const file = scratch.write(
      "p.yaml",
      yaml`
      id: cli-test
      plugins: [${JSON.stringify(TEST_PLUGIN)}]
      source: { type: test_numbers }
      transforms:
        - { type: test_set_field, field: seen, value: true }
        - { type: test_reject_if, field: n, equals: 3 }
      sinks: [{ type: test_file, path: out.jsonl }]
      tests:
        - name: marks messages as seen
          input: [{ value: { n: 1 } }]
          expect: [{ n: 1, seen: true }]
        - name: rejects three
          input: [{ value: { n: 3 } }, { value: { n: 4 } }]
          expectCount: 1
          expectDeadLetters: 1
          expectContains: [{ n: 4 }]
        - name: broken expectation
          input: [{ value: { n: 2 } }]
          expect: [{ n: 2, seen: false }]
    `,
    );
    const { code, stdout } = await runCli(["test", file]);
    expect(code).toBe(1);
    expect(stdout).toContain("PASS marks messages as seen");
    expect(stdout).toContain("PASS rejects three");
    expect(stdout).toContain("FAIL broken expectation");
    expect(stdout).toMatch(/- Expected\s+\+ Actual/);
    expect(stdout).toMatch(/-\s+"seen": false,\n\s+\+\s+"seen": true,/);
    expect(stdout).toContain("2 passed, 1 failed");
  });

  it("`run --once` exits 0 when only bad input was dead-lettered, 3 when a destination was down (nothing dead-lettered for it)", async () => {
    scratch = scratchDir();
    const pipeline = (name: string, sink: string) =>
      yaml`
      id: exit-codes
      plugins: [${JSON.stringify(TEST_PLUGIN)}]
      source: { type: test_numbers }
      transforms: [{ type: test_reject_if, field: n, equals: 1 }]
      sinks: [${sink}]
      deadLetter: { path: ${name}-dead.jsonl }
      checkpoints: { path: ${name}-checkpoints.json }
    `;
    const badInput = scratch.write(
      "bad-input.yaml",
      pipeline("bad-input", "{ type: test_file, path: out.jsonl }"),
    );
    const ok = await runCli(["run", "--once", "--no-progress", badInput]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);

    // Nothing listens on port 9: every POST fails to connect and the retries run out fast.
    const unreachable = scratch.write(
      "unreachable.yaml",
      pipeline(
        "unreachable",
        "{ id: akto, type: akto_http, url: 'http://127.0.0.1:9', retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 5 } }",
      ),
    );
    const failed = await runCli(["run", "--once", "--no-progress", unreachable]);
    expect(failed.code, failed.stdout + failed.stderr).toBe(3);
    expect(failed.stdout).toMatch(
      /not delivered to "akto": 2 record\(s\), destination unavailable \(.*127\.0\.0\.1:9/,
    );
    expect(readFileSync(`${scratch.dir}/bad-input-dead.jsonl`, "utf8")).toContain('"stage":"transform"');
    // The rejected input is a dead letter; the two records Akto never got are not: the next run sends them.
    const deadLetters = readFileSync(`${scratch.dir}/unreachable-dead.jsonl`, "utf8").trim().split("\n");
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toContain('"stage":"transform"');
    expect(
      existsSync(`${scratch.dir}/unreachable-checkpoints.json`)
        ? readFileSync(`${scratch.dir}/unreachable-checkpoints.json`, "utf8")
        : "",
    ).not.toContain("numbers");
  });

  it("`validate` lists every problem with file:line:column, exits non-zero, and never prints a secret", async () => {
    scratch = scratchDir();
    scratch.write("secret.txt", "file-secret-value-9\n");
    const file = scratch.write(
      "p.yaml",
      yaml`
      id: cli-validate
      plugins: [${JSON.stringify(TEST_PLUGIN)}]
      source:
        type: test_numbers
        count: \${file:secret.txt}
        token: \${DB_TOKEN}
      sinks:
        - type: test_file
          path: out.jsonl
          auth: { token: "\${AKTO_JWT_TOKEN}" }
          batch: { maxCuont: 3 }
    `,
    );
    const env = { DB_TOKEN: "db-token-value-1", AKTO_JWT_TOKEN: "eyJhbGciOiJIUzI1NiJ9.secret.jwt" };
    const bad = await runCli(["validate", file], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${file}:5:10: source.count: expected number, found ***`);
    expect(bad.stderr).toContain(
      `${file}:11:14: sinks[0].batch.maxCuont: unknown key "maxCuont"; did you mean "maxCount"?`,
    );
    expect(bad.stderr).toContain("2 problems found");

    const good = scratch.write(
      "good.yaml",
      readFileSync(file, "utf8")
        .replace("$" + "{file:secret.txt}", "4")
        .replace("maxCuont", "maxCount"),
    );
    const ok = await runCli(["validate", "--print", good], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("OK");
    expect(ok.stdout).toMatch(/token: "?\*\*\*"?/);
    for (const output of [bad.stdout, bad.stderr, ok.stdout, ok.stderr]) {
      for (const secret of ["file-secret-value-9", "db-token-value-1", env.AKTO_JWT_TOKEN])
        expect(output).not.toContain(secret);
    }
  });

  it("`schema` prints a JSON Schema that knows the registered components", async () => {
    const { code, stdout } = await runCli(["schema"]);
    expect(code).toBe(0);
    const schema = JSON.parse(stdout) as {
      properties: Record<string, { items?: { oneOf?: { properties: { type: { const: string } } }[] } }>;
    };
    const sinkTypes = schema.properties.sinks?.items?.oneOf?.map((o) => o.properties.type.const) ?? [];
    expect(sinkTypes).toContain("jsonl_file");
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["id", "source", "transforms", "sinks", "schedule", "tests"]),
    );
  });
});
