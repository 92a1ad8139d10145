import { tuneWhenEntry } from "./gc-tuning.js";

/**
 * Imported first by the `pipeline` entry, so the garbage collector is tuned before the rest of
 * the CLI's modules are evaluated (their start-up allocations would otherwise grow the young
 * generation past the cap: parsing the module graph, which no code can precede, already took it
 * to the cap's 4 MiB). Only when this directory's `pipeline` script is the process's entry: a
 * test or a program importing the CLI keeps its own V8 settings.
 */
tuneWhenEntry(import.meta.url, /pipeline\.(js|ts)$/);
