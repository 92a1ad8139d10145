/** Test doubles for pipelines and components: scripted sources and sinks, and a seeded PRNG. */
export { MemorySink } from "../components/simple-sinks.js";
export { ScriptedSink } from "./scripted-sink.js";
export { SeededRandom, seededRandom } from "./seeded-random.js";
export { ArraySource, chunked, ManualSource, messages } from "./test-sources.js";
