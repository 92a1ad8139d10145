import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { WantedComponent } from "../registry/default-registry.js";

/** Options of `pipeline run` that take a value (so that value is not mistaken for the file). */
const VALUE_OPTIONS = new Set(["--port", "--log-level"]);

/**
 * The component types a `pipeline run <file>` command line needs, so the default registry loads
 * only their packages. Undefined whenever that is not plainly known (another command, a file that
 * does not parse, `${…}` in a type, plugins that bring their own types): then every package loads
 * and the command reports problems exactly as before.
 */
export function wantedComponents(argv: readonly string[]): WantedComponent[] | undefined {
  const args = argv.slice(2);
  if (args[0] !== "run") return undefined;
  let file: string | undefined;
  for (let i = 1; i < args.length && file === undefined; i++) {
    const arg = args[i]!;
    if (VALUE_OPTIONS.has(arg)) i++;
    else if (!arg.startsWith("-")) file = arg;
  }
  if (file === undefined) return undefined;
  let config: Record<string, unknown>;
  try {
    config = parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof config !== "object" || config === null) return undefined;
  if (Array.isArray(config.plugins) && config.plugins.length > 0) return undefined;
  const typeOf = (entry: unknown) => (entry as { type?: unknown } | null)?.type;
  const entries: [WantedComponent["kind"], unknown][] = [
    ["source", typeOf(config.source)],
    ...(Array.isArray(config.transforms) ? config.transforms : []).map(
      (t): [WantedComponent["kind"], unknown] => ["transform", typeOf(t)],
    ),
    ...(Array.isArray(config.sinks) ? config.sinks : []).map((s): [WantedComponent["kind"], unknown] => [
      "sink",
      typeOf(s),
    ]),
  ];
  const wanted: WantedComponent[] = [];
  for (const [kind, type] of entries) {
    if (typeof type !== "string" || type.includes("${")) return undefined;
    wanted.push({ kind, type });
  }
  return wanted;
}
