import { pipekitProject } from "../../vitest.shared.js";

export default pipekitProject();
