import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Databricks' official Python clients, pinned: the oracle the emulator is checked against. */
export const ORACLE_REQUIREMENTS = [
  "databricks-sdk==0.162.0",
  // [pyarrow]: the connector reads Arrow and cloud-fetch results only with pyarrow installed.
  "databricks-sql-connector[pyarrow]==4.9.0",
];

const REPO_ROOT = resolve(import.meta.dirname, "../../../..");

/**
 * A venv under `.cache/` holding ORACLE_REQUIREMENTS, created on first use and reused while the
 * pins are unchanged (a marker file records what was installed). Throws a clear error when
 * Python 3 with venv is missing: the suite needs it and does not skip.
 */
export async function oracleVenv(): Promise<{ python: string }> {
  const python3 = process.env.PYTHON3 ?? "python3";
  try {
    await run(python3, ["-c", "import sys, venv; assert sys.version_info >= (3, 10)"]);
  } catch (error) {
    throw new Error(
      `The official-clients suite needs Python 3.10+ with the venv module ("${python3}" failed: ${
        error instanceof Error ? error.message.split("\n")[0] : String(error)
      }). Install python3 and python3-venv (or set PYTHON3 to its path); see the prerequisites in the README.`,
    );
  }
  const key = createHash("sha256").update(ORACLE_REQUIREMENTS.join("\n")).digest("hex").slice(0, 12);
  const dir = join(REPO_ROOT, ".cache", `python-oracle-${key}`);
  const python = join(dir, "bin", "python");
  const marker = join(dir, "installed.txt");
  const wanted = ORACLE_REQUIREMENTS.join("\n");
  if (existsSync(python) && existsSync(marker) && (await readFile(marker, "utf8")) === wanted) {
    return { python };
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  try {
    await run(python3, ["-m", "venv", dir]);
    await run(
      python,
      ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", ...ORACLE_REQUIREMENTS],
      {
        timeout: 900_000,
        maxBuffer: 16 * 2 ** 20,
      },
    );
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    const detail =
      (error as { stderr?: string }).stderr?.trim().split("\n").slice(-5).join("\n") ?? String(error);
    throw new Error(`Installing ${ORACLE_REQUIREMENTS.join(" ")} into ${dir} failed:\n${detail}`);
  }
  await writeFile(marker, wanted);
  return { python };
}
