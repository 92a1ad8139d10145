import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { sampleAktoRecord } from "../src/index.js";

const cli = fileURLToPath(new URL("../src/ingestion-emulator/cli.ts", import.meta.url));
let child: ChildProcess | undefined;

afterEach(async () => {
  if (child && child.exitCode === null) {
    child.kill("SIGTERM");
    await once(child, "exit");
  }
});

describe("Akto ingestion emulator CLI", () => {
  it("prints its URL first, serves Akto's API with the token from the environment, and stops on SIGTERM", async () => {
    const token = "cli-test-token";
    child = spawn(process.execPath, ["--import", "tsx", cli], {
      env: { ...process.env, AKTO_JWT_TOKEN: token },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d) => {
      stderr += String(d);
    });
    const lines = createInterface({ input: child.stdout! });
    const [url] = (await once(lines, "line")) as [string];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const post = (auth?: string) =>
      fetch(`${url}/api/ingestData`, {
        method: "POST",
        headers: auth ? { authorization: auth } : {},
        body: JSON.stringify({ batchData: [sampleAktoRecord(1)] }),
      });
    expect((await post()).status).toBe(401);
    expect((await post(token)).status).toBe(200);

    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
    expect(stderr).toContain("stopped after 1 records");
    expect(stderr).not.toContain(token);
  });
});
