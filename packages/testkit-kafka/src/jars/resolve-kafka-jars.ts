import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** The Kafka release the testkit runs. 4.1.x is the current 4.x line on Maven Central. */
export const DEFAULT_KAFKA_VERSION = "4.1.1";

const POM_PATH = fileURLToPath(new URL("../../maven/pom.xml", import.meta.url));
/** Written last, so a directory holding it is known to be complete. */
const COMPLETE_MARKER = ".complete";

export interface ResolveKafkaJarsOptions {
  readonly kafkaVersion?: string;
  /** Where jar directories are cached; defaults to `<repo>/.cache/kafka-jars` (or $PIPEKIT_KAFKA_JARS_DIR). */
  readonly cacheDir?: string;
}

/**
 * Returns a directory holding every jar a broker of `kafkaVersion` needs (plus an SLF4J provider),
 * downloading them with Maven the first time. Safe to call from several processes at once: each
 * downloads into its own temporary directory and the first complete one is renamed into place.
 */
export async function resolveKafkaJars(options: ResolveKafkaJarsOptions = {}): Promise<string> {
  const version = options.kafkaVersion ?? DEFAULT_KAFKA_VERSION;
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const target = join(cacheDir, `kafka_2.13-${version}`);
  if (existsSync(join(target, COMPLETE_MARKER))) return target;

  await mkdir(cacheDir, { recursive: true });
  const staging = `${target}.tmp-${process.pid}-${Date.now()}`;
  try {
    await runMaven(version, staging);
    const jars = (await readdir(staging)).filter((f) => f.endsWith(".jar"));
    if (!jars.some((f) => f.startsWith(`kafka_2.13-${version}`))) {
      throw new Error(`Maven finished but ${staging} holds no kafka_2.13-${version} jar`);
    }
    await writeFile(join(staging, COMPLETE_MARKER), `${jars.length} jars\n`);
    try {
      await rename(staging, target);
    } catch (error) {
      // Another process won the race (or an incomplete leftover is in the way).
      if (existsSync(join(target, COMPLETE_MARKER))) return target;
      await rm(target, { recursive: true, force: true });
      await rename(staging, target).catch((retryError: unknown) => {
        throw new Error(`Cannot move Kafka jars into ${target}`, { cause: retryError ?? error });
      });
    }
    return target;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function runMaven(version: string, outputDir: string): Promise<void> {
  const args = [
    "-q",
    "-B",
    "-f",
    POM_PATH,
    "dependency:copy-dependencies",
    "-DincludeScope=runtime",
    `-DoutputDirectory=${outputDir}`,
    `-Dkafka.version=${version}`,
  ];
  try {
    await execFileAsync("mvn", args, { maxBuffer: 16 * 1024 * 1024, timeout: 15 * 60_000 });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === "ENOENT") {
      throw new Error("Cannot download Kafka jars: `mvn` (Apache Maven) is not installed or not on PATH");
    }
    const output = `${e.stdout ?? ""}${e.stderr ?? ""}`.trim().split("\n").slice(-30).join("\n");
    throw new Error(`Cannot download Kafka ${version} jars with Maven (mvn ${args.join(" ")}):\n${output}`, {
      cause: error,
    });
  }
}

function defaultCacheDir(): string {
  const fromEnv = process.env.PIPEKIT_KAFKA_JARS_DIR;
  if (fromEnv) return resolve(fromEnv);
  return join(findRepoRoot(dirname(POM_PATH)), ".cache", "kafka-jars");
}

/** The workspace root (where pnpm-workspace.yaml is), else the package's own folder. */
function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(start, "..");
    dir = parent;
  }
}
