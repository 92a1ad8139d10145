import type { Transform } from "../contracts/transform.js";

/** What a worker pool's factory (`createTransforms(options)`) returns: the chain, in order. */
export type WorkerTransforms = readonly { readonly id: string; readonly transform: Transform }[];
