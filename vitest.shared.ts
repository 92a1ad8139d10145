import { defineProject, mergeConfig, type ViteUserConfig } from "vitest/config";

/** Base project config for every package: resolve workspace siblings to their TypeScript sources. */
export function pipekitProject(overrides: ViteUserConfig = {}): ViteUserConfig {
  return mergeConfig(
    defineProject({
      resolve: { conditions: ["@pipekit/source", "import", "module", "node", "default"] },
      ssr: { resolve: { conditions: ["@pipekit/source", "import", "module", "node", "default"] } },
      test: {
        include: ["test/**/*.test.ts", "src/**/*.test.ts"],
        testTimeout: 30_000,
        hookTimeout: 120_000,
      },
    }),
    overrides,
  );
}
