import { pipekitProject } from "../../vitest.shared.js";

// Schema and log routing only: no broker needed (the Kafka packages' tests cover real connections).
export default pipekitProject();
