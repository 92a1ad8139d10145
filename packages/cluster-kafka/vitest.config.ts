import { fileURLToPath } from "node:url";
import { pipekitProject } from "../../vitest.shared.js";

// One real Kafka broker for the whole run (tests read its address with inject("kafkaBootstrap")).
// The first run downloads the broker's jars from Maven Central, hence the long hook timeout.
export default pipekitProject({
  test: {
    globalSetup: [fileURLToPath(new URL("../testkit-kafka/src/vitest-global-setup.ts", import.meta.url))],
    hookTimeout: 600_000,
  },
});
