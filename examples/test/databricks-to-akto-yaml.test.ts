import { execFile } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const cli = resolve(repo, "packages/runner/src/cli/pipeline.ts");
const pipelineFile = resolve(here, "../pipelines/databricks-to-akto.yaml");
const run = (args: string[], env: Record<string, string> = {}) =>
  promisify(execFile)(process.execPath, ["--conditions=@pipekit/source", "--import", "tsx", cli, ...args], {
    cwd: repo,
    env: { ...process.env, ...env },
  });

describe("the databricks-to-akto YAML example", () => {
  it("validates without echoing the client secret", async () => {
    const { stdout, stderr } = await run(["validate", "--print", pipelineFile], {
      DATABRICKS_CLIENT_SECRET: "dose-very-secret-value-42",
    });
    expect(stdout).toContain('pipeline "databricks-to-akto"');
    expect(stdout).toContain('clientSecret: "***"');
    expect(stdout + stderr).not.toContain("dose-very-secret-value-42");
  });

  it("passes its config tests: redaction then the Akto mapping, tool call included", async () => {
    const { stdout } = await run(["test", pipelineFile]);
    expect(stdout).toContain("PASS an agent execution becomes Akto records with the email redacted");
    expect(stdout).toContain("1 passed, 0 failed");
  });
});
