import type { Command } from "commander";
import { createDefaultRegistry, type WantedComponent } from "../registry/default-registry.js";
import type { CommandIo } from "./commands.js";

/** Whether this module is the process's entry script (not imported by a test or another CLI). */
export function isEntryScript(moduleUrl: string, fileName: RegExp): boolean {
  const script = process.argv[1];
  return (
    script !== undefined &&
    fileName.test(script) &&
    moduleUrl.endsWith(script.replace(/\\/g, "/").split("/").pop()!)
  );
}

/**
 * Runs a CLI program as the process: the default registry (a package that fails to load is reported,
 * the others still work), the process's streams and environment, and its exit code.
 */
export function runAsProcess(
  build: (io: CommandIo, setExitCode: (code: number) => void) => Command,
  argv: readonly string[] = process.argv,
  wanted?: readonly WantedComponent[],
): void {
  let code = 0;
  createDefaultRegistry(wanted)
    .then(({ registry, unavailable }) => {
      for (const u of unavailable)
        process.stderr.write(`warning: components of ${u.pkg} are unavailable: ${u.error}\n`);
      const io: CommandIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, registry };
      return build(io, (c) => {
        code = c;
      }).parseAsync([...argv]);
    })
    .then(
      () => process.exit(code),
      (error: unknown) => {
        process.stderr.write(`${(error as Error).message}\n`);
        process.exit(1);
      },
    );
}
