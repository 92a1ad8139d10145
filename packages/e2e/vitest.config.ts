import { fileURLToPath } from "node:url";
import { pipekitProject } from "../../vitest.shared.js";

// One real Kafka broker for the whole run (tests read its address with inject("kafkaBootstrap")).
// Suites here spawn the real runner process and wait for it, hence the long timeouts.
export default pipekitProject({
  test: {
    globalSetup: [fileURLToPath(new URL("../testkit-kafka/src/vitest-global-setup.ts", import.meta.url))],
    hookTimeout: 600_000,
    testTimeout: 240_000,
  },
});
