import { defineProject } from "vitest/config";

// Like vitest.shared.ts but without the "module" condition / main field: the OTel packages publish
// extensionless ESM under "module", which Node cannot load (same set-up as packages/core).
const conditions = ["@pipekit/source", "import", "node", "default"];
export default defineProject({
  resolve: { conditions, mainFields: ["main"] },
  ssr: { resolve: { conditions, externalConditions: ["node", "default"] } },
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
