import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { type Document, isMap, isPair, isScalar, isSeq, parse, type Scalar } from "yaml";
import type { ConfigPath } from "./yaml-positions.js";

/** Variable names that hold credentials: their values are masked wherever config is echoed. */
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|KEY|JWT|CREDENTIAL/i;

/** `${NAME}`, `${NAME:-default}`, `${file:path}`; `$${` escapes a literal `${`. */
const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const VARIABLE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

export interface InterpolationProblem {
  readonly path: ConfigPath;
  /** Offset of the scalar in the YAML text. */
  readonly offset: number;
  readonly message: string;
}

export interface InterpolationOutcome {
  readonly problems: readonly InterpolationProblem[];
  /** Config paths whose value came (even partly) from a secret variable or a secret file. */
  readonly secretPaths: readonly ConfigPath[];
  /** The secret strings themselves, so any echoed text can be scrubbed of them. */
  readonly secretValues: ReadonlySet<string>;
}

export interface InterpolationEnv {
  readonly vars: Readonly<Record<string, string | undefined>>;
  /** Folder that `${file:relative/path}` resolves against (the YAML file's folder). */
  readonly baseDir: string;
}

/**
 * Replaces references inside string scalars of the parsed document, in place. Working on the
 * parsed nodes (not on the raw text) keeps every node's position true to the file, so errors
 * still point at the right line and column. A plain (unquoted) scalar that was only a reference,
 * e.g. `port: ${PORT}`, is re-read as YAML so it becomes a number or boolean like a literal would.
 */
export function interpolateDocument(doc: Document, env: InterpolationEnv): InterpolationOutcome {
  const problems: InterpolationProblem[] = [];
  const secretPaths: ConfigPath[] = [];
  const secretValues = new Set<string>();

  const visitScalar = (node: Scalar, path: ConfigPath): void => {
    if (typeof node.value !== "string" || !node.value.includes("${")) return;
    const offset = node.range?.[0] ?? 0;
    const original = node.value;
    let secret = false;
    const replaced = original.replace(REFERENCE, (match, inner: string | undefined) => {
      if (match === "$${") return "${";
      const resolved = resolveReference(inner ?? "", env);
      if ("problem" in resolved) {
        problems.push({ path, offset, message: resolved.problem });
        return "";
      }
      if (resolved.secret) {
        secret = true;
        if (resolved.value.length > 0) secretValues.add(resolved.value);
      }
      return resolved.value;
    });
    if (secret) secretPaths.push(path);
    const wholeReference = /^\$\{[^}]*\}$/.test(original.trim());
    // An empty result stays an empty string: `${X:-}` means "blank", not null.
    node.value = wholeReference && node.type === "PLAIN" && replaced !== "" ? retype(replaced) : replaced;
  };

  const walk = (node: unknown, path: ConfigPath): void => {
    if (isScalar(node)) visitScalar(node, path);
    else if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        walk(pair.value, [...path, typeof key === "number" ? key : String(key)]);
      }
    } else if (isSeq(node)) {
      for (const [index, item] of node.items.entries()) walk(item, [...path, index]);
    }
  };
  walk(doc.contents, []);
  return { problems, secretPaths, secretValues };
}

type Resolved = { value: string; secret: boolean } | { problem: string };

function resolveReference(inner: string, env: InterpolationEnv): Resolved {
  if (inner.startsWith("file:")) {
    const target = inner.slice("file:".length).trim();
    if (!target) return { problem: "`$" + "{file:...}` needs a path" };
    const full = isAbsolute(target) ? target : resolve(env.baseDir, target);
    try {
      // A trailing newline is an artefact of how secret files are written, never part of the secret.
      return { value: readFileSync(full, "utf8").replace(/\r?\n$/, ""), secret: true };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "read error";
      return { problem: `cannot read secret file "${full}" (${code})` };
    }
  }
  const match = VARIABLE.exec(inner);
  if (!match) {
    return {
      problem: `"\${${inner}}" is not a valid reference; expected \${NAME}, \${NAME:-default} or \${file:path}`,
    };
  }
  const name = match[1] as string;
  const fallback = match[2];
  const value = env.vars[name];
  const secret = SECRET_NAME.test(name);
  if (value !== undefined && (value !== "" || fallback === undefined)) return { value, secret };
  if (fallback !== undefined) return { value: fallback, secret };
  return { problem: `environment variable ${name} is not set and has no default (use \${${name}:-default})` };
}

function retype(text: string): unknown {
  try {
    const value: unknown = parse(text);
    return typeof value === "number" || typeof value === "boolean" || value === null ? value : text;
  } catch {
    return text;
  }
}
