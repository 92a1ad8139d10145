// The root entry is what a registry needs; the mapping and the HTTP sink are their own entries
// (`@pipekit/sink-akto/mapping`, `@pipekit/sink-akto/http`) because the mapping is a transform
// any sink can follow, not part of the HTTP sink.
export { components } from "./components.js";
