import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ComponentDefinition, ComponentRegistry } from "@pipekit/core";
import type { ComponentKind } from "@pipekit/core/advanced";
import { isComponentDefinition } from "../registry/default-registry.js";

/**
 * Loads user modules named in `plugins:` and registers their components like built-ins.
 * A module exports its ComponentDefinition(s) as the default export (one or an array) and/or as a
 * named `components` array. Relative specifiers resolve against the YAML file's folder; bare
 * specifiers (an npm package) resolve like any import.
 */
export async function loadPlugins(
  specifiers: readonly string[],
  baseDir: string,
  registry: ComponentRegistry,
): Promise<{ index: number; message: string }[]> {
  const problems: { index: number; message: string }[] = [];
  for (const [index, specifier] of specifiers.entries()) {
    const target =
      specifier.startsWith(".") || isAbsolute(specifier)
        ? pathToFileURL(resolve(baseDir, specifier)).href
        : specifier;
    let module: Record<string, unknown>;
    try {
      module = (await import(target)) as Record<string, unknown>;
    } catch (error) {
      problems.push({
        index,
        message: `cannot load plugin "${specifier}": ${loadFailure(specifier, error)}`,
      });
      continue;
    }
    const definitions = [module.default, module.components].flatMap((d) =>
      Array.isArray(d) ? d : d ? [d] : [],
    );
    if (definitions.length === 0) {
      problems.push({
        index,
        message: `plugin "${specifier}" exports no components (expected a default export or a \`components\` array)`,
      });
    }
    for (const definition of definitions) {
      if (!isComponentDefinition(definition)) {
        problems.push({
          index,
          message: `plugin "${specifier}" exports something that is not a component definition`,
        });
        continue;
      }
      try {
        registry.register(definition as ComponentDefinition<ComponentKind, never>);
      } catch (error) {
        problems.push({ index, message: `plugin "${specifier}": ${(error as Error).message}` });
      }
    }
  }
  return problems;
}

const TYPESCRIPT = /\.[cm]?ts$/;

/**
 * Why a plugin did not load, in words that say what to do. A TypeScript plugin loads where Node
 * strips types itself (22.18+, 23.6+: `process.features.typescript`) or a loader is registered
 * (`node --import tsx`); Node 20 has neither, and its "Unknown file extension" says nothing of that.
 */
function loadFailure(specifier: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (TYPESCRIPT.test(specifier) && code === "ERR_UNKNOWN_FILE_EXTENSION") {
    return `Node ${process.version} cannot import TypeScript by itself. List the compiled .js file instead (tsc, or write the plugin in JavaScript), run the CLI through a TypeScript loader (node --import tsx "$(command -v pipeline)" …), or use Node 22.18 or later, which strips types by default`;
  }
  if (code === "ERR_MODULE_NOT_FOUND" && /Cannot find package '@pipekit\//.test((error as Error).message)) {
    return `${(error as Error).message} (a plugin's imports resolve from its own folder: install @pipekit/core, and zod if it uses it, in the project the plugin lives in)`;
  }
  return (error as Error).message;
}
