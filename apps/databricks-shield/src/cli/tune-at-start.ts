import { tuneWhenEntry } from "@pipekit/runner/gc-tuning";

/**
 * Imported first by the `databricks-shield` entry: the same garbage-collector settings as the
 * `pipeline` binary (packages/runner's README, "Memory"), set before the other modules are
 * evaluated. A shield started every five minutes by Akto's job runner, or left running in a
 * container, then keeps its heap near what it holds instead of several times that.
 */
tuneWhenEntry(import.meta.url, /databricks-shield\.(js|ts)$/);
