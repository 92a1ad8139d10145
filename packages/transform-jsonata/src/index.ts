/** @pipekit/transform-jsonata: the `mapping` and `filter` transforms, with JSONata expressions. */
export { components } from "./components.js";
export { syntaxErrorOf } from "./expression/compiled-expression.js";
export { type FilterOptions, filterComponent, jsonataFilter } from "./transforms/filter-transform.js";
export { jsonataMapping, type MappingOptions, mappingComponent } from "./transforms/mapping-transform.js";
