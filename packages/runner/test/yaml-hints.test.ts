import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { ComponentRegistry } from "@pipekit/core";
import { registerBuiltins } from "@pipekit/core/builtins";
import { components as jsonata } from "@pipekit/transform-jsonata";
import { afterEach, describe, expect, it } from "vitest";
import { formatIssue } from "../src/config/config-issue.js";
import { prepareConfig } from "../src/config/validate-config.js";
import { RUNNER_ROOT, scratchDir, yaml } from "./helpers.js";

let scratch: ReturnType<typeof scratchDir>;
afterEach(() => scratch?.cleanup());

function registry(): ComponentRegistry {
  const r = registerBuiltins(new ComponentRegistry());
  for (const definition of jsonata) r.register(definition);
  return r;
}

async function issues(text: string): Promise<string[]> {
  scratch = scratchDir();
  const file = scratch.write("pipeline.yaml", text);
  const result = await prepareConfig(file, { registry: registry() });
  return result.issues.map(formatIssue).map((line) => line.slice(file.length));
}

describe("YAML words that are not strings", () => {
  it("an unquoted null, boolean or number where a string belongs says to quote it", async () => {
    expect(
      await issues(yaml`
        id: 2024
        source: { type: null }
        sinks:
          - type: true
      `),
    ).toEqual([
      ':1:5: id: expected string, found number 2024: YAML reads an unquoted 2024 as a number; quote it: id: "2024"',
      ':2:17: source.type: expected string, found null: YAML reads an unquoted null as null; quote it: type: "null"',
      ':4:11: sinks[0].type: expected string, found boolean true: YAML reads an unquoted true as a boolean; quote it: type: "true"',
    ]);
  });

  it("says nothing of quoting when the value was quoted, or is not a word at all", async () => {
    const lines = await issues(yaml`
      id: ok
      source: { type: "null" }
      sinks: [{ type: { nested: 1 } }]
    `);
    expect(lines.join("\n")).not.toContain("quote it");
  });
});

describe("JSONata expressions in `pipeline validate`", () => {
  it("a syntax error is reported at the expression's file:line:column with JSONata's reason", async () => {
    expect(
      await issues(yaml`
        id: expressions
        source: { type: generate, count: 1 }
        transforms:
          - type: filter
            condition: seq > 
          - type: mapping
            expression: |
              { "a": seq,
                "b": $uppercase( }
        sinks: [{ type: "null" }]
      `),
    ).toEqual([
      expect.stringMatching(
        /^:5:16: transforms\[0\]\.condition: invalid JSONata expression: S0\d{3}: .* \(at character \d+\); found string /,
      ),
      expect.stringMatching(
        /^:7:17: transforms\[1\]\.expression: invalid JSONata expression: S0\d{3}: .* \(at character \d+\); found string /,
      ),
    ]);
  });
});

describe("TypeScript plugins", () => {
  it("on Node without type stripping, the built CLI says exactly what to do instead of 'Unknown file extension'", async () => {
    const cli = resolve(RUNNER_ROOT, "dist/cli/pipeline.js");
    expect(existsSync(cli), `${cli} is missing: run \`pnpm build\` first`).toBe(true);
    scratch = scratchDir();
    scratch.write("plugin.ts", "export const components: unknown[] = [];\n");
    const file = scratch.write(
      "pipeline.yaml",
      yaml`
        id: ts-plugin
        plugins: [./plugin.ts]
        source: { type: generate, count: 1 }
        sinks: [{ type: "null" }]
      `,
    );
    const stripsTypes = Boolean((process.features as { typescript?: unknown }).typescript);
    const result = await promisify(execFile)(process.execPath, [cli, "validate", file]).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    if (stripsTypes) {
      // Node 22.18+ loads it: the plugin is then checked like any other (it exports no components).
      expect(result.stderr).toContain("exports no components");
    } else {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `plugins[0]: cannot load plugin "./plugin.ts": Node ${process.version}`,
      );
      expect(result.stderr).toContain("List the compiled .js file instead");
      expect(result.stderr).toContain("node --import tsx");
      expect(result.stderr).not.toContain("Unknown file extension");
    }
  });
});
