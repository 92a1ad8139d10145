export * from "./http-sink/index.js";
export * from "./mapping/index.js";
