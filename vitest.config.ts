import { defineConfig } from "vitest/config";

// One test run for the whole workspace. Each package is a vitest project (its own vitest.config.ts
// when it needs a global setup, e.g. the Kafka broker); sources of sibling packages are resolved
// through the "@pipekit/source" export condition so tests never run against a stale build.
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*", "examples", "bench"],
  },
});
