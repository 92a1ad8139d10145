import type { Command } from "commander";
import type { ComponentPackage } from "../registry/component-packages.js";
import { createDefaultRegistry, type WantedComponent } from "../registry/default-registry.js";
import type { CommandIo } from "./commands.js";

export { isEntryScript } from "./entry-script.js";

export interface ProcessRegistryOptions {
  /** The component types the command needs, when known: later packages are then not loaded. */
  readonly wanted?: readonly WantedComponent[];
  /** The packages to register components from (default: the runner's built-in ones). */
  readonly packages?: readonly ComponentPackage[];
}

/**
 * Runs a CLI program as the process: a registry of `packages` (a package that fails to load is
 * reported, the others still work), the process's streams and environment, and its exit code.
 */
export function runAsProcess(
  build: (io: CommandIo, setExitCode: (code: number) => void) => Command,
  argv: readonly string[] = process.argv,
  options: ProcessRegistryOptions = {},
): void {
  let code = 0;
  createDefaultRegistry(options.wanted, options.packages)
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
