import { realpathSync } from "node:fs";

/** Whether this module is the process's entry script (not imported by a test or another CLI). */
export function isEntryScript(moduleUrl: string, fileName: RegExp): boolean {
  const script = entryScriptPath();
  return (
    script !== undefined &&
    fileName.test(script) &&
    moduleUrl.endsWith(script.replace(/\\/g, "/").split("/").pop()!)
  );
}

/** The process's entry script, links followed (npm and pnpm start a bin through node_modules/.bin). */
export function entryScriptPath(): string | undefined {
  const script = process.argv[1];
  if (script === undefined) return undefined;
  try {
    return realpathSync(script);
  } catch {
    return script;
  }
}
