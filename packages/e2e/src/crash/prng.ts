// The same seed gives the same kill schedule on every machine.
export { seededRandom } from "@pipekit/core/testing";

/** An integer in [min, max]. */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
