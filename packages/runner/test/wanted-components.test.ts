import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { wantedComponents } from "../src/cli/wanted-components.js";
import { createDefaultRegistry } from "../src/registry/default-registry.js";

const dir = mkdtempSync(join(tmpdir(), "wanted-components-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const argv = (...args: string[]) => ["node", "pipeline.js", ...args];

const FILE_TO_FILE = `id: t
source: { type: jsonl_file, path: in.jsonl }
transforms: [{ type: redact }]
sinks: [{ id: out, type: jsonl_file, path: out.jsonl }]
`;

describe("wantedComponents", () => {
  it("lists the types a `pipeline run` file names, wherever the options sit", () => {
    const path = file("p.yaml", FILE_TO_FILE);
    const expected = [
      { kind: "source", type: "jsonl_file" },
      { kind: "transform", type: "redact" },
      { kind: "sink", type: "jsonl_file" },
    ];
    expect(wantedComponents(argv("run", path))).toEqual(expected);
    expect(wantedComponents(argv("run", "--port", "0", "--log-level", "warn", path, "--once"))).toEqual(
      expected,
    );
  });

  it("knows nothing (so every package loads) for other commands, plugins, variables or a broken file", () => {
    expect(wantedComponents(argv("validate", file("v.yaml", FILE_TO_FILE)))).toBeUndefined();
    expect(
      wantedComponents(argv("run", file("pl.yaml", `${FILE_TO_FILE}plugins: [./x.js]\n`))),
    ).toBeUndefined();
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a pipeline variable, not a template
    const withVariable = FILE_TO_FILE.replace("type: redact", "type: ${T}");
    expect(wantedComponents(argv("run", file("var.yaml", withVariable)))).toBeUndefined();
    expect(wantedComponents(argv("run", file("bad.yaml", "source: [unclosed")))).toBeUndefined();
    expect(wantedComponents(argv("run", join(dir, "missing.yaml")))).toBeUndefined();
  });
});

describe("createDefaultRegistry with wanted components", () => {
  it("stops loading packages once every wanted type is registered", async () => {
    const wanted = wantedComponents(argv("run", file("w.yaml", FILE_TO_FILE)));
    const { registry } = await createDefaultRegistry(wanted);
    expect(registry.get("transform", "redact")).toBeDefined();
    expect(registry.get("source", "databricks")).toBeUndefined();
    expect(registry.get("sink", "kafka")).toBeUndefined();
  });

  it("loads every package when a wanted type is in none of them", async () => {
    const { registry } = await createDefaultRegistry([{ kind: "sink", type: "no-such-sink" }]);
    expect(registry.get("source", "databricks")).toBeDefined();
    expect(registry.get("sink", "kafka")).toBeDefined();
  });
});
