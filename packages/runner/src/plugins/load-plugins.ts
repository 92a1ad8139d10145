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
      const hint = specifier.endsWith(".ts")
        ? " (a .ts plugin needs a TypeScript loader such as `node --import tsx`; or point at the compiled .js)"
        : "";
      problems.push({
        index,
        message: `cannot load plugin "${specifier}": ${(error as Error).message}${hint}`,
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
