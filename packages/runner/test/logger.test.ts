import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { SecretScrubber } from "../src/config/secret-scrubber.js";
import { createRunnerLogger } from "../src/service/logger.js";

/** Raw JSON lines as written (JSON.parse would hide duplicate keys: the last one wins). */
function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { lines, destination };
}

/** Top-level keys of a JSON line, duplicates kept, by scanning the text itself. */
function topLevelKeys(line: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') {
      const end = line.indexOf('"', i + 1);
      let j = end;
      while (line[j - 1] === "\\") j = line.indexOf('"', j + 1);
      if (depth === 1 && line[j + 1] === ":") keys.push(line.slice(i + 1, j));
      i = j;
    } else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
  }
  return keys;
}

class HintedError extends Error {
  override readonly name = "DatabricksAuthError";
  readonly class = "fatal" as const;
  readonly hint = "Double-check DATABRICKS_CLIENT_SECRET.";
}

describe("runner logger", () => {
  it.each([
    ["with", new SecretScrubber()],
    ["without", undefined],
  ])("prints each key once through nested children (%s secret scrubbing)", (_, secrets) => {
    const { lines, destination } = capture();
    const root = createRunnerLogger({
      destination,
      bindings: { pipeline: "databricks-shield" },
      ...(secrets ? { secrets } : {}),
    });
    const engine = root.child({ pipeline: "databricks-shield" });
    const component = engine.child({ pipeline: "databricks-shield", component: "source" });
    component.info({ rows: 1, pipeline: "databricks-shield" }, "read");
    const keys = topLevelKeys(lines[0]!);
    expect(keys.filter((k) => k === "pipeline")).toHaveLength(1);
    expect(new Set(keys).size).toBe(keys.length);
    expect(JSON.parse(lines[0]!)).toMatchObject({ pipeline: "databricks-shield", component: "source" });
  });

  it("keeps the level of the parent and of explicit child options", () => {
    const { lines, destination } = capture();
    const root = createRunnerLogger({ destination, level: "warn" });
    root.child({ a: 1 }).info({}, "hidden");
    root.child({ a: 1 }, { level: "debug" }).debug({}, "shown");
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(["shown"]);
  });

  it("logs an error's declared class and hint, nested or not, scrubbed of secrets", () => {
    const { lines, destination } = capture();
    const secrets = new SecretScrubber();
    secrets.addValue("s3cr3t-value");
    const log = createRunnerLogger({ destination, secrets });
    const error = new HintedError("Authentication failed for s3cr3t-value", { cause: new Error("HTTP 401") });
    log.error({ cycle: 1, err: error }, "cycle failed");
    createRunnerLogger({ destination }).error({ err: error }, "cycle failed");
    for (const line of lines) {
      const err = JSON.parse(line).err;
      expect(err).toMatchObject({
        type: "DatabricksAuthError",
        class: "fatal",
        hint: "Double-check DATABRICKS_CLIENT_SECRET.",
        cause: { type: "Error", message: "HTTP 401" },
      });
    }
    expect(lines[0]).not.toContain("s3cr3t-value");
  });
});
