import { isAbsolute, resolve } from "node:path";

/** Config paths are relative to the config file's folder (ComponentDeps.baseDir). */
export function resolvePath(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
