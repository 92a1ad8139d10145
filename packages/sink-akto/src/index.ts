export * from "./http-sink/index.js";
