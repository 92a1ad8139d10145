import type { ConfigProblem } from "@pipekit/core/advanced";

/**
 * Pipeline files once spelled the runner's keys in snake_case (`dead_letter`, `batch.max_count`).
 * For such an old spelling (core's check recognises it: `camelCaseOf`) say that the file's casing
 * is camelCase rather than only guessing at a typo.
 */
export function withCamelCaseHint(problem: ConfigProblem): string {
  if (problem.camelCaseOf === undefined) return problem.message;
  const key = problem.path[problem.path.length - 1];
  return `unknown key "${String(key)}" — pipeline files spell keys in camelCase: did you mean "${problem.camelCaseOf}"?`;
}
