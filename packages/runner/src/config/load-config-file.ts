import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type Document, LineCounter, parseDocument } from "yaml";
import type { ConfigIssue } from "./config-issue.js";
import { interpolateDocument } from "./interpolate.js";
import { type ConfigPath, YamlPositions } from "./yaml-positions.js";

/** A pipeline file read, parsed and interpolated, before any schema check. */
export interface LoadedConfigFile {
  /** The path as the user gave it (used in messages). */
  readonly file: string;
  /** Folder of the file: relative paths in the config resolve against it. */
  readonly baseDir: string;
  readonly document: Document;
  readonly positions: YamlPositions;
  /** The config as plain data, after `${...}` interpolation. */
  readonly data: unknown;
  readonly secretPaths: readonly ConfigPath[];
  readonly secretValues: ReadonlySet<string>;
  /** YAML syntax errors and unresolvable references, all of them. */
  readonly issues: readonly ConfigIssue[];
}

export function loadConfigFile(
  file: string,
  vars: Readonly<Record<string, string | undefined>> = process.env,
): LoadedConfigFile {
  const baseDir = dirname(resolve(file));
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "read error";
    return emptyResult(file, baseDir, `cannot read pipeline file (${code})`);
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const positions = new YamlPositions(document, lineCounter);
  const issues: ConfigIssue[] = [];
  for (const error of [...document.errors, ...document.warnings]) {
    const { line, column } = positions.offsetToLineColumn(error.pos[0]);
    // The first line of yaml's message is the description; the rest is a code excerpt we do not need.
    const message = error.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? error.message;
    issues.push({ file, path: [], line, column, message: `YAML syntax: ${message}` });
  }
  if (document.errors.length > 0) {
    return {
      file,
      baseDir,
      document,
      positions,
      data: undefined,
      secretPaths: [],
      secretValues: new Set(),
      issues,
    };
  }
  const interpolation = interpolateDocument(document, { vars, baseDir });
  for (const problem of interpolation.problems) {
    const { line, column } = positions.offsetToLineColumn(problem.offset);
    issues.push({ file, path: problem.path, line, column, message: problem.message });
  }
  return {
    file,
    baseDir,
    document,
    positions,
    data: document.toJS({ maxAliasCount: 100 }),
    secretPaths: interpolation.secretPaths,
    secretValues: interpolation.secretValues,
    issues,
  };
}

function emptyResult(file: string, baseDir: string, message: string): LoadedConfigFile {
  const lineCounter = new LineCounter();
  const document = parseDocument("", { lineCounter });
  return {
    file,
    baseDir,
    document,
    positions: new YamlPositions(document, lineCounter),
    data: undefined,
    secretPaths: [],
    secretValues: new Set(),
    issues: [{ file, path: [], message }],
  };
}
