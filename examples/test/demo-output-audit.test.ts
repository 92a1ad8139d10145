import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { auditPath } from "@pipekit/testkit-akto";
import { afterAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const demo = resolve(here, "../src/demo/run-demo.ts");

/**
 * The demo end to end (emulated workspace, the real databricks-shield binary from dist), then a
 * validation-free pattern audit of every Akto record it wrote: a seeded secret that the detectors'
 * validation wrongly turned away (all-letter AWS key ids once were) shows up here.
 */
describe("the demo's Akto records", () => {
  const out = mkdtempSync(join(tmpdir(), "demo-audit-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("hold no value the simple audit patterns recognise", async () => {
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((done) => {
      execFile(
        process.execPath,
        ["--conditions=@pipekit/source", "--import", "tsx", demo, "--out", out],
        { cwd: here, maxBuffer: 64 * 2 ** 20 },
        (error, stdout) => done({ code: error ? Number(error.code ?? 1) : 0, stdout }),
      );
    });
    expect(code, stdout).toBe(0);
    const records = join(out, "akto-records.jsonl");
    expect(existsSync(records)).toBe(true);
    expect(stdout).toMatch(/AWS_ACCESS_KEY \d+/);
    // Dead letters (state/) keep the raw row on purpose, for replay; only what the sink wrote counts.
    expect(auditPath(records)).toEqual([]);
  }, 180_000);
});
