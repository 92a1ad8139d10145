/**
 * A seeded Databricks workspace emulator in a CHILD process, for benchmarks: its DuckDB engine and
 * seeding allocations must not count towards the heap or RSS the benchmark measures. The child
 * (databricks-emulator-child.ts) starts the emulator, sends back what a client needs over IPC and
 * closes it when the parent disconnects.
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface EmulatorProcessOptions {
  readonly seed: number;
  /** Agents per task type: 3 AI Gateway tables + 1 legacy table per agent. */
  readonly agents: number;
  readonly rowsPerTable: number;
  /** How the SQL warehouse sends results (the emulator's option; default "auto", as a warehouse). */
  readonly resultFormat?: "auto" | "columns" | "arrow" | "arrow-lz4" | "cloud-fetch";
}

export interface EmulatorInfo {
  url: string;
  hostname: string;
  port: number;
  caPem: string;
  httpPath: string;
  clientId: string;
  clientSecret: string;
  /** Payload tables (AI Gateway and legacy): what the source reads. */
  tables: { fullName: string; rowCount: number; malformed: number }[];
}

export interface EmulatorProcess {
  readonly info: EmulatorInfo;
  readonly pid: number;
  /** Disconnects the child, which closes the emulator and exits; resolves on exit. */
  close(): Promise<void>;
}

const CHILD = fileURLToPath(new URL("./databricks-emulator-child.ts", import.meta.url));
export const EMULATOR_OPTIONS_ENV = "PIPEKIT_BENCH_EMULATOR_OPTIONS";

export function startEmulatorProcess(options: EmulatorProcessOptions): Promise<EmulatorProcess> {
  const child: ChildProcess = fork(CHILD, [], {
    execArgv: ["--conditions=@pipekit/source", "--import", "tsx"],
    env: { ...process.env, [EMULATOR_OPTIONS_ENV]: JSON.stringify(options) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) =>
      reject(new Error(`emulator process exited with ${code} before it was ready`)),
    );
    child.once("message", (info) =>
      resolve({
        info: info as EmulatorInfo,
        pid: child.pid ?? -1,
        close: async () => {
          if (child.connected) child.disconnect();
          await exited;
        },
      }),
    );
  });
}
