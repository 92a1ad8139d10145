import { pipekitProject } from "../../vitest.shared.js";

// Packing, one npm install (cached under <repo>/.cache/npm) and the consumer's runs take a while on
// two cores: generous hook and test timeouts, so a slow machine is not reported as a failure.
export default pipekitProject({ test: { hookTimeout: 300_000, testTimeout: 120_000 } });
