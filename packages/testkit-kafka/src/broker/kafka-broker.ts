import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createWriteStream, existsSync, type WriteStream } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { resolveKafkaJars } from "../jars/resolve-kafka-jars.js";
import { randomClusterId } from "./cluster-id.js";
import { createKafkaTopics, type TopicSpec } from "./create-topics.js";
import { findFreePort } from "./free-port.js";
import { serverProperties } from "./server-properties.js";
import { waitUntilReady } from "./wait-until-ready.js";

const execFileAsync = promisify(execFile);

export interface StartKafkaBrokerOptions {
  /** Holds server.properties, the log dirs and broker.log. Default: a temp dir removed by `stop()`. */
  readonly dataDir?: string;
  readonly kafkaVersion?: string;
  /** Where downloaded jars are cached (default `<repo>/.cache/kafka-jars`). */
  readonly jarsCacheDir?: string;
  /** Fixed PLAINTEXT port (default: a free random one). */
  readonly port?: number;
  /** Extra `server.properties` entries, e.g. `{ "message.max.bytes": 2097152 }`. */
  readonly serverProperties?: Readonly<Record<string, string | number | boolean>>;
  /**
   * Also listen with SASL_PLAINTEXT (PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512) for these users
   * (name → password) on `saslBootstrap`. Authentication only: no authorizer is configured.
   */
  readonly saslUsers?: Readonly<Record<string, string>>;
  /** JVM heap in MiB (default 512). */
  readonly heapMb?: number;
  /** How long one start may take once the jars are there (default 60 s). */
  readonly startTimeoutMs?: number;
  /** How long to wait after SIGTERM before SIGKILL (default 20 s). */
  readonly stopTimeoutMs?: number;
}

/** Attempts at picking fresh ports when a random port was taken between picking and binding. */
const BIND_ATTEMPTS = 3;
const OUTPUT_TAIL_LINES = 40;

/**
 * One single-node Kafka (KRaft, broker+controller) in a child JVM. The ports and the data dir are
 * fixed for the broker's lifetime, so `restart()` (or `stopProcess()` … `startProcess()`) brings it
 * back where clients expect it, with every committed record still there.
 */
export class KafkaBroker {
  private process: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private outputTail: string[] = [];
  private logStream: WriteStream | undefined;
  private removeExitHook: (() => void) | undefined;

  private constructor(
    private brokerPort: number,
    private controllerPort: number,
    private readonly saslPort: number | undefined,
    readonly dataDir: string,
    private readonly ownsDataDir: boolean,
    private readonly jarsDir: string,
    private readonly options: StartKafkaBrokerOptions,
  ) {}

  /** `host:port` for clients. */
  get bootstrap(): string {
    return `127.0.0.1:${this.brokerPort}`;
  }

  /** `host:port` of the SASL_PLAINTEXT listener (only with `saslUsers`). */
  get saslBootstrap(): string {
    if (this.saslPort === undefined) throw new Error("This broker was started without saslUsers");
    return `127.0.0.1:${this.saslPort}`;
  }

  get brokers(): string[] {
    return [this.bootstrap];
  }

  get port(): number {
    return this.brokerPort;
  }

  /** The broker's own stdout/stderr (WARN and above). */
  get logFile(): string {
    return join(this.dataDir, "broker.log");
  }

  get running(): boolean {
    return this.process !== undefined && this.process.exitCode === null && this.process.signalCode === null;
  }

  static async start(options: StartKafkaBrokerOptions = {}): Promise<KafkaBroker> {
    const jarsDir = await resolveKafkaJars({
      kafkaVersion: options.kafkaVersion,
      cacheDir: options.jarsCacheDir,
    });
    const ownsDataDir = options.dataDir === undefined;
    const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "pipekit-kafka-")));
    await mkdir(dataDir, { recursive: true });

    for (let attempt = 1; ; attempt++) {
      const broker = new KafkaBroker(
        options.port ?? (await findFreePort()),
        await findFreePort(),
        options.saslUsers ? await findFreePort() : undefined,
        dataDir,
        ownsDataDir,
        jarsDir,
        options,
      );
      try {
        await broker.format();
        await broker.startProcess();
        return broker;
      } catch (error) {
        await broker.stopProcess().catch(() => {});
        const portClash = broker.outputTail.some((l) => /BindException|Address already in use/.test(l));
        // The quorum is static (read from server.properties), so storage formatted by the failed
        // attempt serves the next one on other ports as well.
        if (portClash && options.port === undefined && attempt < BIND_ATTEMPTS) continue;
        if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
        throw error;
      }
    }
  }

  /** Starts the JVM (on the same ports and data) and resolves once it serves requests. */
  async startProcess(): Promise<void> {
    if (this.running) return;
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 60_000);
    this.outputTail = [];
    this.logStream = createWriteStream(this.logFile, { flags: "a" });
    const child = spawn(javaBin(), [...this.jvmArgs(), "kafka.Kafka", this.propertiesFile], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.process = child;
    let spawnError: Error | undefined;
    this.exited = new Promise((resolveExit) => {
      child.once("exit", () => resolveExit());
      // A JVM that cannot be spawned at all reports "error" and may never report "exit".
      child.once("error", (error) => {
        spawnError = error;
        resolveExit();
      });
    });
    child.stdout?.on("data", (chunk: Buffer) => this.record(chunk));
    child.stderr?.on("data", (chunk: Buffer) => this.record(chunk));
    this.installExitHook(child);

    await waitUntilReady({
      bootstrap: this.bootstrap,
      deadline,
      assertAlive: () => {
        if (spawnError) throw javaSpawnError(spawnError);
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(
            `Kafka broker exited during start (code ${child.exitCode ?? child.signalCode}); last output:\n${this.tail()}`,
          );
        }
      },
    });
  }

  /** SIGTERM, wait for exit, SIGKILL after the timeout. Keeps ports and data for `startProcess()`. */
  async stopProcess(): Promise<void> {
    const child = this.process;
    if (!child) return;
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timeout = this.options.stopTimeoutMs ?? 20_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        this.exited.then(() => false),
        new Promise<boolean>((r) => {
          timer = setTimeout(() => r(true), timeout);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        child.kill("SIGKILL");
        await this.exited;
      }
    }
    this.removeExitHook?.();
    this.removeExitHook = undefined;
    this.process = undefined;
    await new Promise<void>((r) => (this.logStream ? this.logStream.end(r) : r()));
    this.logStream = undefined;
  }

  /** Stop and start again on the same port and log dir. */
  async restart(): Promise<void> {
    await this.stopProcess();
    await this.startProcess();
  }

  /** Stops the broker and removes its data dir if the broker created it. */
  async stop(): Promise<void> {
    await this.stopProcess();
    if (this.ownsDataDir) await rm(this.dataDir, { recursive: true, force: true });
  }

  /** Creates topics (existing ones are left alone) and waits until each has a leader. */
  createTopics(topics: readonly TopicSpec[]): Promise<void> {
    return createKafkaTopics(this.bootstrap, topics);
  }

  private get propertiesFile(): string {
    return join(this.dataDir, "server.properties");
  }

  /** Writes server.properties and formats storage unless this data dir was formatted already. */
  private async format(): Promise<void> {
    const logDir = join(this.dataDir, "logs");
    await writeFile(
      this.propertiesFile,
      serverProperties({
        brokerPort: this.brokerPort,
        controllerPort: this.controllerPort,
        logDir,
        overrides: this.options.serverProperties,
        sasl:
          this.options.saslUsers && this.saslPort !== undefined
            ? { port: this.saslPort, users: this.options.saslUsers }
            : undefined,
      }),
    );
    if (existsSync(join(logDir, "meta.properties"))) return;
    const args = [...this.jvmArgs(), "kafka.tools.StorageTool", "format"];
    args.push("-t", randomClusterId(), "-c", this.propertiesFile);
    for (const [name, password] of Object.entries(this.options.saslUsers ?? {})) {
      for (const mechanism of ["SCRAM-SHA-256", "SCRAM-SHA-512"]) {
        args.push("--add-scram", `${mechanism}=[name=${name},password=${password}]`);
      }
    }
    try {
      await execFileAsync(javaBin(), args, { timeout: 60_000 });
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
      if (e.code === "ENOENT") throw javaSpawnError(e);
      throw new Error(`Formatting Kafka storage in ${logDir} failed:\n${e.stderr ?? ""}${e.stdout ?? ""}`, {
        cause: error,
      });
    }
  }

  private jvmArgs(): string[] {
    const heap = this.options.heapMb ?? 512;
    return [
      `-Xms${Math.min(256, heap)}m`,
      `-Xmx${heap}m`,
      "-XX:+UseG1GC",
      "-XX:MaxGCPauseMillis=20",
      "-Djava.awt.headless=true",
      "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
      "-Dorg.slf4j.simpleLogger.showDateTime=true",
      "-cp",
      `${this.jarsDir}/*`,
    ];
  }

  private record(chunk: Buffer): void {
    this.logStream?.write(chunk);
    const lines = chunk.toString("utf8").split("\n").filter(Boolean);
    this.outputTail.push(...lines);
    if (this.outputTail.length > OUTPUT_TAIL_LINES)
      this.outputTail.splice(0, this.outputTail.length - OUTPUT_TAIL_LINES);
  }

  private tail(): string {
    return this.outputTail.join("\n") || "(no output)";
  }

  /** A JVM must not outlive the Node process that started it, even when that process crashes. */
  private installExitHook(child: ChildProcess): void {
    const hook = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    };
    process.once("exit", hook);
    this.removeExitHook = () => process.removeListener("exit", hook);
  }
}

export function startKafkaBroker(options: StartKafkaBrokerOptions = {}): Promise<KafkaBroker> {
  return KafkaBroker.start(options);
}

function javaSpawnError(error: Error): Error {
  return new Error(
    `Cannot run Java (${javaBin()}): ${error.message}. Kafka 4.x needs Java 17+ on PATH or in JAVA_HOME`,
    { cause: error },
  );
}

function javaBin(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java";
}
