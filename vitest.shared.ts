import { defineProject, mergeConfig, type ViteUserConfig } from "vitest/config";

// Workspace siblings resolve to their TypeScript sources ("@pipekit/source" condition), so tests never
// run against a stale build. No "module" condition / main field: some dependencies (the OTel SDK)
// publish extensionless ESM under "module", which Node cannot load.
const conditions = ["@pipekit/source", "import", "node", "default"];

/** Base project config for every package. */
export function pipekitProject(overrides: ViteUserConfig = {}): ViteUserConfig {
  return mergeConfig(
    defineProject({
      resolve: { conditions, mainFields: ["main"] },
      ssr: { resolve: { conditions, externalConditions: ["node", "default"] } },
      test: {
        include: ["test/**/*.test.ts", "src/**/*.test.ts"],
        testTimeout: 30_000,
        hookTimeout: 120_000,
      },
    }),
    overrides,
  );
}
